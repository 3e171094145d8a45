/**
 * The named steps of a commit, where a test kills the writer to prove that each leaves a store
 * that opens and loses at most the commit in flight (test/reliability/store-crash-steps.test.ts).
 * In order: the history lines appended and synced; the new state file written and synced, not yet
 * renamed; renamed into place (the commit point); then, when the history file has grown, its
 * compacted copy written, and renamed.
 */
export const COMMIT_STEPS = [
  'history-appended',
  'state-written',
  'state-renamed',
  'compaction-written',
  'compaction-renamed',
] as const;
export type CommitStep = (typeof COMMIT_STEPS)[number];

/**
 * SIGKILL this process at `step` when a test asks for it (POSTURE_TEST_KILL_AT), only under the
 * test runner, as POSTURE_TEST_CRASH is: a user's environment cannot reach it.
 */
export function reached(step: CommitStep): void {
  if (process.env.VITEST && process.env.POSTURE_TEST_KILL_AT === step) process.kill(process.pid, 'SIGKILL');
}
