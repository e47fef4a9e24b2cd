import { numbered, postgresParams, type Row, type SqlClient, sqliteParams } from "./sql.js";
import type { Provider } from "./url.js";

/**
 * What intg needs of an app's PrismaClient, or of the transaction client that
 * `prisma.$transaction(async (tx) => …)` hands it: raw statements, and (on the client itself) an
 * interactive transaction. Public Prisma API only.
 */
export interface PrismaLike {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}
type PrismaWithTransactions = PrismaLike & { $transaction<R>(fn: (tx: PrismaLike) => Promise<R>): Promise<R> };

const READS = /^\s*(select|with|values|pragma)\b|\breturning\b/i;

/**
 * A SqlClient over an app's Prisma client, so intg's services run on the app's connection. Given a
 * transaction client, every service transaction joins the app's transaction: what the app rolls
 * back was never written (an event sent inside it is never delivered). Prisma returns the schema's
 * types from raw queries on both providers (Date, boolean, parsed JSON), as the typed layer
 * expects; COUNT arrives as a bigint, which the services read through Number().
 */
export function sqlFromPrisma(prisma: PrismaLike, provider: Provider): SqlClient {
  const pg = provider === "postgresql";
  const text = (sql: string) => (pg ? numbered(sql) : sql);
  const values = (params: readonly unknown[]) => (pg ? postgresParams(params) : [...sqliteParams(params)]);
  const all = <T>(sql: string, params: readonly unknown[] = []) =>
    prisma.$queryRawUnsafe<T[]>(text(sql), ...values(params));
  const joinable = "$transaction" in prisma && typeof prisma.$transaction === "function";
  const client: SqlClient = {
    provider,
    inTransaction: !joinable,
    all,
    get: async <T>(sql: string, params: readonly unknown[] = []) => (await all<T>(sql, params))[0],
    rows: async (sql, params = []) => (await all<Row>(sql, params)).map((r) => Object.values(r)),
    run: (sql, params = []) => prisma.$executeRawUnsafe(text(sql), ...values(params)),
    query: async (sql, params) => {
      if (READS.test(sql)) return { rows: await all<Row>(sql, params), changes: 0 };
      return { rows: [], changes: await prisma.$executeRawUnsafe(text(sql), ...values(params)) };
    },
    transaction: (fn) =>
      joinable ? (prisma as PrismaWithTransactions).$transaction((tx) => fn(sqlFromPrisma(tx, provider))) : fn(client),
    // The app owns its client: intg never disconnects it.
    close: async () => undefined,
  };
  return client;
}
