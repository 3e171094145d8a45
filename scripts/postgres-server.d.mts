export interface PostgresServer {
  /** postgres://posture@127.0.0.1:PORT/postgres (trust authentication, loopback only). */
  url: string;
  port: number;
  dir: string;
  readonly pid: number;
  /** Fast shutdown (sessions cut off, as in a real restart), then start again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}
/** The folder holding initdb and postgres: $POSTURE_PG_BIN, else the npm-packaged build's. */
export function serverBin(env?: NodeJS.ProcessEnv): string;
/** A throw-away server: a fresh cluster in a temporary folder. */
export function startPostgres(options?: {
  port?: number;
  env?: NodeJS.ProcessEnv;
  log?: boolean;
}): Promise<PostgresServer>;
