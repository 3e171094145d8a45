/**
 * The advisory locks commits take, always in this order (so two commits never wait on each other
 * in a circle): the operators' commit lock, the fleet lock, instance locks (sorted), the revision
 * lock.
 *
 * - A poll's commit takes the fleet lock shared and its one instance's lock: polls of different
 *   instances never wait on each other, and an operator's change to an instance waits for a poll
 *   of it (and the other way round), so neither is lost.
 * - An operator's commit takes the instances its change touches; one that touches many takes the
 *   fleet lock whole instead (thousands of advisory locks would fill the server's lock table).
 * - The revision lock orders what is written: a commit takes the next revision under it and
 *   commits before letting go, so revisions are committed in order and another process that read
 *   up to a revision has every row at or below it. A poll holds it only inside its last statements,
 *   sent in one round trip with its COMMIT.
 */
export { COMMIT_LOCK, LOCK_CLASS } from './schema.js';
import { LOCK_CLASS } from './schema.js';

export const REVISION_LOCK = 3;
export const FLEET_LOCK = 4;
/** The class of instance locks: the second key is the instance id's hashtext. */
export const INSTANCE_LOCK_CLASS = 0x7058;
/** An operator's commit touching more instances than this locks the whole fleet instead. */
export const MAX_INSTANCE_LOCKS = 32;

export const REVISION_LOCK_SQL = `SELECT pg_advisory_xact_lock(${LOCK_CLASS}, ${REVISION_LOCK})`;

/** One instance's lock, for a poll's commit (`key`: the instance id as an escaped literal). */
export const pollLocksSql = (key: string) =>
  `SELECT pg_advisory_xact_lock_shared(${LOCK_CLASS}, ${FLEET_LOCK}),
  pg_advisory_xact_lock(${INSTANCE_LOCK_CLASS}, hashtext(${key}))`;

/** The locks an operator's commit takes for the instances it touches, as queries run in order. */
export function instanceLocks(ids: ReadonlySet<string>): [string, unknown[]][] {
  if (ids.size === 0) return [];
  if (ids.size > MAX_INSTANCE_LOCKS)
    return [[`SELECT pg_advisory_xact_lock(${LOCK_CLASS}, ${FLEET_LOCK})`, []]];
  return [
    [`SELECT pg_advisory_xact_lock_shared(${LOCK_CLASS}, ${FLEET_LOCK})`, []],
    [
      `SELECT count(pg_advisory_xact_lock(${INSTANCE_LOCK_CLASS}, hashtext(k)))
         FROM (SELECT k FROM unnest($1::text[]) AS k ORDER BY k) AS sorted`,
      [[...ids].sort()],
    ],
  ];
}
