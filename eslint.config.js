// Lint: JavaScript and TypeScript recommended rules; formatting is Prettier's job.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/*
 * Layering, from DESIGN.md ("Layout", and "Data flows one way: poller -> connector -> rules -> store
 * -> UI"). One row per part of source/ and the parts it may import besides itself and text/ (the one
 * sanitizer and formatting: a leaf every part may use). Every other part, test/, and a package
 * another part owns are errors, whether imported, re-exported or loaded lazily with import().
 */
const LAYERS = [
  // Pure model and logic, no I/O.
  { part: 'domain/', may: [], pure: true },
  // The sanitizer and formatting depend on nothing of the program, and do no I/O.
  { part: 'text/', may: [], pure: true },
  // Checked control data, typed by the domain.
  { part: 'catalog/', may: ['domain/'] },
  // A connector reads an API into datasets: it never touches the store, drives a poll or writes output.
  { part: 'connectors/', may: ['domain/', 'catalog/', 'files.ts'] },
  // The store commits what it is handed: it knows no connector, poller or output.
  { part: 'store/', may: ['domain/', 'files.ts'] },
  // The poller drives connectors, evaluates rules and commits to the store; it draws nothing.
  { part: 'poller/', may: ['domain/', 'catalog/', 'connectors/', 'store/'] },
  // Workers poll as jobs on the store's database (pg-boss): the poller's code path, each tenant's quota.
  { part: 'workers/', may: ['domain/', 'catalog/', 'connectors/', 'store/', 'poller/'] },
  // Alerts read the store's queue and settings, send them (a webhook, a program) and mark them sent.
  { part: 'alerts/', may: ['domain/', 'catalog/', 'store/'] },
  // The simulator speaks each vendor's API by itself, not through the connectors it stands in for;
  // the demo seeds a store.
  { part: 'simulator/', may: ['domain/', 'store/'] },
  // The console subscribes to the store and never calls a connector. It is handed its poller, and
  // imports only the poller's types: the console command loads the poller after the first frame.
  { part: 'ui/', may: ['domain/', 'catalog/', 'store/', 'files.ts'], types: ['poller/'] },
  // Headless commands never import ui/ ...
  {
    part: 'commands/',
    may: [
      'alerts/',
      'domain/',
      'catalog/',
      'connectors/',
      'store/',
      'poller/',
      'workers/',
      'simulator/',
      'paths.ts',
      'signals.ts',
      'files.ts',
    ],
  },
  // ... but for the one that is the console: it renders ui/.
  {
    part: 'commands/console.tsx',
    may: ['alerts/', 'domain/', 'catalog/', 'connectors/', 'store/', 'poller/', 'ui/', 'launch/'],
  },
  // The command line hands flags to a command module, and reaches the console only through
  // commands/console.tsx.
  {
    part: 'cli.tsx',
    may: [
      'commands/',
      'commands/console.tsx',
      'domain/',
      'catalog/',
      'store/',
      'poller/',
      'paths.ts',
      'signals.ts',
    ],
  },
  { part: 'main.ts', may: ['cli.tsx', 'signals.ts'] },
  { part: 'paths.ts', may: [] },
  // Reading and making the files posture is pointed at: regular files only, errors in words.
  { part: 'files.ts', may: [] },
  { part: 'signals.ts', may: [] },
  // The launcher compiles the program with V8's code cache; the console tells it of its first frame.
  { part: 'launch/', may: [] },
];
// Packages one part owns (DESIGN.md: the one got client in connectors/, the lowdb file, Ink for the console).
// alerts/ makes one POST to a webhook: none of a vendor's paging, budgets or error bodies.
const OWNED = {
  got: ['connectors/', 'alerts/'],
  lowdb: ['store/'],
  ink: ['ui/', 'commands/console.tsx'],
  react: ['ui/', 'commands/console.tsx'],
  'string-width': ['text/'],
  'pg-boss': ['workers/'],
};

const PARTS = LAYERS.map((l) => l.part);
const isFolder = (part) => part.endsWith('/');
const inside = (inner, outer) => inner !== outer && isFolder(outer) && inner.startsWith(outer);
// How an import names a part: a gitignore pattern (for import/export) and a regular expression (for import()).
const glob = (part) => (isFolder(part) ? `**/${part}**` : `**/${part.replace(/\.tsx?$/, '.js')}`);
const regex = (part) =>
  `(^|\\/)${(isFolder(part) ? part : part.replace(/\.tsx?$/, '.js$')).replaceAll('.', '\\.').replaceAll('/', '\\/')}`;

const layering = LAYERS.map(({ part, may, types = [], pure = false }) => {
  const others = part === 'text/' ? may : ['text/', ...may];
  const allowed = [part, ...others];
  // A part may import the parts inside it and the folder it is in; one inside a forbidden part is covered by it.
  const forbidden = PARTS.filter(
    (other) => !allowed.includes(other) && !inside(other, part) && !inside(part, other),
  ).filter((other, _, all) => !all.some((outer) => inside(other, outer)));
  const message = `${part} may import ${others.join(', ') || 'no other part of the program'}${types.length ? ` and the types of ${types.join(', ')}` : ''} (DESIGN.md's layers, in eslint.config.js)`;
  const patterns = [
    ...forbidden.map((other) => ({ group: [glob(other)], message, allowTypeImports: types.includes(other) })),
    { group: ['**/test/**'], message: 'the program ships only what it runs: nothing of test/' },
    ...(pure ? [{ group: ['node:*'], message: `${part} does no I/O` }] : []),
  ];
  const paths = Object.entries(OWNED)
    .filter(([, owners]) => !owners.includes(part))
    .map(([name, owners]) => ({ name, message: `${name} belongs to ${owners.join(' and ')}` }));
  const lazy = [...forbidden, 'test/'].map((other) => ({
    selector: `ImportExpression[source.value=/${regex(other)}/]`,
    message: other === 'test/' ? 'the program ships only what it runs: nothing of test/' : message,
  }));
  return {
    files: [isFolder(part) ? `source/${part}**` : `source/${part}`],
    // A part inside this one has its own row.
    ignores: PARTS.filter((other) => inside(other, part)).map((other) => `source/${other}`),
    rules: {
      'no-restricted-imports': ['error', { paths, patterns }],
      // Only the layering uses this rule: another use must add its selectors here, or it replaces these.
      'no-restricted-syntax': ['error', ...lazy],
    },
  };
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'benchmarks/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // The sanitizer and the tests that attack it match control characters on purpose.
    files: ['source/text/sanitize.ts', 'test/helpers/hostile.ts', 'test/reliability/**', 'test/e2e/**'],
    rules: { 'no-control-regex': 'off' },
  },
  ...layering,
);
