/**
 * A hangup or kill must still release the store lock: exit handlers run on process.exit, not on
 * an unhandled signal. A command that finishes its work first on a signal (`poll`) says so here.
 */
let graceful = false;

export function setGracefulSignals(on: boolean): void {
  graceful = on;
}

export function exitOnSignals(): void {
  for (const signal of ['SIGHUP', 'SIGTERM'] as const)
    process.on(signal, () => {
      if (!graceful) process.exit(128 + (signal === 'SIGHUP' ? 1 : 15));
    });
}
