import type { Database } from "../db/client.js";
import type { SqlClient } from "../db/sql.js";
import type { Env } from "../db/url.js";

/**
 * What every service function receives first. Services know nothing of argv, terminals or exit
 * codes; they read the clock and the actor from here so tests can pin both.
 */
export interface ServiceContext {
  db: Database;
  /** The same as db.sql: driver-level SQL, ready without loading Prisma's client. */
  sql: SqlClient;
  now(): Date;
  /** Who is acting, for the audit log: INTG_ACTOR, else the OS user. */
  actor: string;
  env: Env;
  /**
   * Told before a service sleeps (a rate limit, a provider's Retry-After), with what it waits for;
   * the returned function is called when the wait ends. The CLI shows a status line on a terminal.
   */
  onWait?(wait: { reason: string; ms: number }): (() => void) | undefined;
}
