import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";
import type { DB } from "./generated/kysely/types.js";
import type { SqlClient } from "./sql.js";

export type { DB } from "./generated/kysely/types.js";
export type Db = Kysely<DB>;

/**
 * Kysely over an open SqlClient: queries are typed by the database types that prisma-kysely
 * generates from prisma/models.prisma, and run on the client's own connection, so a builder made
 * from a transaction's `tx` runs inside that transaction. Transactions stay SqlClient's
 * (`sql.transaction`): BEGIN IMMEDIATE on SQLite and one transaction per connection at a time.
 */
export function typed(client: SqlClient): Db {
  let db = cache.get(client);
  if (!db) cache.set(client, (db = build(client)));
  return db;
}

const cache = new WeakMap<SqlClient, Db>();

function build(client: SqlClient): Db {
  const connection: DatabaseConnection = {
    async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
      const r = await client.query(q.sql, q.parameters);
      return { rows: r.rows as R[], numAffectedRows: BigInt(r.changes) };
    },
    // biome-ignore lint/correctness/useYield: streaming is not offered; bulk reads use SqlClient.rows
    async *streamQuery() {
      throw new Error("Streaming queries are not supported by intg's typed layer.");
    },
  };
  const driver: Driver = {
    init: async () => undefined,
    acquireConnection: async () => connection,
    beginTransaction: () => Promise.reject(unsupported()),
    commitTransaction: () => Promise.reject(unsupported()),
    rollbackTransaction: () => Promise.reject(unsupported()),
    releaseConnection: async () => undefined,
    destroy: async () => undefined,
  };
  const pg = client.provider === "postgresql";
  return new Kysely<DB>({
    dialect: {
      createAdapter: () => (pg ? new PostgresAdapter() : new SqliteAdapter()),
      createDriver: () => driver,
      createIntrospector: (db) => (pg ? new PostgresIntrospector(db) : new SqliteIntrospector(db)),
      createQueryCompiler: () => (pg ? new PostgresQueryCompiler() : new SqliteQueryCompiler()),
    },
  });
}

function unsupported(): Error {
  return new Error("Use SqlClient.transaction() and typed(tx): it keeps BEGIN IMMEDIATE and the connection's queue.");
}

/** A Json column's value as written: always JSON text, so a JSON string is not stored bare on SQLite. */
export const jsonText = (value: unknown): string => JSON.stringify(value);

/** An aggregate's count: PostgreSQL returns COUNT as a bigint string, SQLite as a number. */
export const count = (value: string | number | bigint | undefined): number => Number(value ?? 0);
