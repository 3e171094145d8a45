import type { TestProject } from 'vitest/node';
import { startPostgres } from '../../scripts/postgres-server.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

/**
 * One real PostgreSQL server for the whole run (about a second to start); each test file takes
 * databases of its own from it (test/helpers/postgres.ts). A test that restarts the server starts
 * one of its own with startPostgres.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
