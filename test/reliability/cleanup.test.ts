import { beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../source/simulator/server.js';
import { DEMO_TENANTS } from '../../source/simulator/vendors.js';
import { type Session, spawn } from '../helpers/pty.js';
import { simulate } from '../helpers/sim.js';

/** The test helpers end what a test started with the test, and what beforeAll started with the file. */
const reachable = (sim: Simulator) =>
  fetch(`${sim.origin}/`).then(
    () => true,
    () => false,
  );

describe('what a test starts', () => {
  let shared: Simulator;
  let own: Simulator;
  let session: Session;
  beforeAll(async () => {
    shared = await simulate(DEMO_TENANTS.slice(0, 1));
  });

  it('runs while the test runs', async () => {
    own = await simulate(DEMO_TENANTS.slice(0, 1));
    session = spawn(['--demo']);
    await session.waitFor('Enter open');
    expect(await reachable(own)).toBe(true);
  });

  it('has ended once that test is over; what beforeAll started lasts the file', async () => {
    expect(await reachable(own)).toBe(false);
    expect(await session.exit).not.toBe(0); // killed, not quit
    expect(await reachable(shared)).toBe(true);
  });
});
