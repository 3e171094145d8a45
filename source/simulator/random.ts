import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for the ids a simulated vendor stamps on every response (request and error ids),
 * drawn from a pool filled 16 KB at a time: one system call per response was a twentieth of the
 * simulator's work serving a fleet. Never for secrets or tokens (those keep `randomBytes`).
 */
const pool = Buffer.alloc(16 * 1024);
let at = pool.length;

export function idBytes(n: number): Buffer {
  if (n > pool.length) return randomFillSync(Buffer.alloc(n));
  if (at + n > pool.length) {
    randomFillSync(pool);
    at = 0;
  }
  const out = Buffer.from(pool.subarray(at, at + n));
  at += n;
  return out;
}
