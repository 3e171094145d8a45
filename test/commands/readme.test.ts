import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, flagName, GLOBAL_FLAGS, synopsis } from '../../source/commands/spec.js';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

/** The README's list of commands: the code block under "The command line". */
function commandBlock(): string[] {
  const section = README.slice(README.indexOf('## The command line'));
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block.split('\n');
}

describe("the README's command list", () => {
  it('shows each command exactly as the declaration of its flags gives its usage', () => {
    const lines = commandBlock();
    for (const name of COMMAND_NAMES) expect(lines).toContain(synopsis(name));
    // And nothing the program does not have.
    const listed = lines.filter((l) => l.startsWith('posture '));
    expect(listed).toEqual(COMMAND_NAMES.map(synopsis));
  });

  it('names every global flag', () => {
    const global = commandBlock()
      .filter((l, i, all) => l.startsWith('global:') || (i > 0 && all[i - 1]!.startsWith('global:')))
      .join(' ');
    for (const key of GLOBAL_FLAGS) expect(global).toContain(flagName(key));
  });
});
