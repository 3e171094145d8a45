#!/usr/bin/env node
import { run } from './cli.js';

// A hangup or kill must still release the store lock (exit handlers run on process.exit).
for (const signal of ['SIGHUP', 'SIGTERM'] as const)
  process.once(signal, () => process.exit(128 + (signal === 'SIGHUP' ? 1 : 15)));

const code = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
// Leave once output is flushed, whatever handles a library left open.
process.stdout.write('', () => process.exit(code));
