/**
 * The `:` command line's commands, in one table: the help lists them, an unknown one is answered
 * with their names, and completion can offer them. controller.ts's runCommand carries them out.
 */
export const LINE_COMMANDS = [
  { name: 'product', args: '<app>', help: 'actions of one product (no app: all)' },
  { name: 'instance', args: '"<name>"', help: 'actions of one instance (no name: all)' },
  { name: 'status', args: '<status>', help: 'actions with one status (none: all)' },
  { name: 'clear', args: '', help: 'clear every filter' },
  { name: 'mode', args: 'single|multiple', help: 'instances per app' },
  { name: 'apps', args: '', help: 'Connected apps' },
  { name: 'score', args: '', help: 'Secure Score' },
  { name: 'actions', args: '', help: 'Recommended actions' },
  { name: 'history', args: '', help: 'History' },
  { name: 'framework', args: '<name>', help: 'Frameworks, showing one framework (by id or name)' },
  { name: 'q', args: '', help: 'quit (also :quit)' },
] as const;

export type LineCommand = (typeof LINE_COMMANDS)[number]['name'];
