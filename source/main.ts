#!/usr/bin/env node
import { run } from './cli.js';
import { exitOnSignals } from './signals.js';

exitOnSignals();

const code = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
// Leave once output is flushed, whatever handles a library left open.
process.stdout.write('', () => process.exit(code));
