// `npm run bench`: bundle the suite and the hello-world yardstick the way the program is bundled,
// then run the suite (medians of several runs, budgets, PASS/FAIL, JSON in benchmarks/results/).
import { spawnSync } from 'node:child_process';
import { bundle } from '../scripts/build.mjs';

await bundle('benchmarks/hello.tsx', 'dist/hello.mjs');
// The PostgreSQL script stays a file of its own: bundled, its "run as a script" check would start a
// server in every bench process (dist/ and benchmarks/ are both one folder below the checkout).
await bundle('benchmarks/suite.tsx', 'dist/bench.mjs', [
  '@lydell/node-pty',
  '../scripts/postgres-server.mjs',
]);
const r = spawnSync(process.execPath, ['dist/bench.mjs', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
