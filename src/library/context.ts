import { userInfo } from "node:os";
import { openDatabase } from "../db/client.js";
import { type PrismaLike, sqlFromPrisma } from "../db/prisma-sql.js";
import { type DbTarget, type Env, parseDbUrl, type Provider } from "../db/url.js";
import type { ServiceContext } from "../services/context.js";

// How an app builds the context intg's services take, without the CLI: on its own PrismaClient
// (or inside its prisma.$transaction), or on a database URL of its own.

export interface IntgOptions {
  /** Variables intg reads (INTG_MASTER_KEY, INTG_PREVIOUS_MASTER_KEYS...); process.env by default. */
  env?: Env;
  /** Who acts, for the audit log; the OS user by default. */
  actor?: string;
  /** The clock; the system's by default. */
  now?: () => Date;
}

/** A context with a database intg opened itself: close it when done. */
export type OpenedIntg = ServiceContext & { close(): Promise<void> };

/**
 * Services on an app's Prisma client. Pass the transaction client inside
 * `prisma.$transaction(async (tx) => …)` and intg writes in the app's transaction: an event sent
 * there is delivered only if the app commits (a transactional outbox). The database must have
 * intg's migrations applied (`intg db migrate --db <url>`).
 */
export function intgOnPrisma(prisma: PrismaLike, options: IntgOptions & { provider: Provider }): ServiceContext {
  const sql = sqlFromPrisma(prisma, options.provider);
  const target: DbTarget = {
    provider: options.provider,
    url: "prisma:",
    embedded: false,
    source: "--db",
    redacted: "the app's Prisma client",
  };
  return context({ target, sql, close: async () => undefined }, options);
}

/** Services on a database URL (`file:…` or `postgresql://…`), opened and migrated check first. */
export async function openIntg(url: string, options: IntgOptions = {}): Promise<OpenedIntg> {
  // Named as the app wrote it: "--db names no SQLite file" spoke of a flag the app never saw.
  const target = parseDbUrl(url, "openIntg(url)", process.cwd());
  const db = await openDatabase(target, { autoMigrate: false });
  return { ...context(db, options), close: () => db.close() };
}

function context(db: ServiceContext["db"], options: IntgOptions): ServiceContext {
  const env = options.env ?? process.env;
  return { db, sql: db.sql, now: options.now ?? (() => new Date()), actor: options.actor ?? actor(env), env };
}

function actor(env: Env): string {
  if (env.INTG_ACTOR) return env.INTG_ACTOR;
  try {
    return `${userInfo().username} (library)`;
  } catch {
    return "library";
  }
}
