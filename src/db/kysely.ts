import {
  type Compilable,
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
import { clientOf, installAppProvider, registerClient } from "./prepared-run.js";
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

// An app's own Kysely instance has no client of intg's: its provider is read from its dialect.
installAppProvider((db) => (db.getExecutor().adapter instanceof PostgresAdapter ? "postgresql" : "sqlite"));

/**
 * A typed query's rows as arrays, in the order of its select list, straight from the driver and
 * without the schema's types: on SQLite dates and JSON stay text (read them through `col`). For
 * long lists printed at once (`keys list`): building a row object, and a Date per date only to
 * format it again, costs more than reading the row.
 */
export async function arraysOf(db: Db, query: Compilable<unknown>): Promise<unknown[][]> {
  const compiled = query.compile();
  const client = clientOf(db);
  if (client) return client.rows(compiled.sql, compiled.parameters);
  const { rows } = await db.executeQuery<Record<string, unknown>>(compiled);
  return rows.map((row) => Object.values(row));
}

export function build(client: SqlClient): Db {
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
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => (pg ? new PostgresAdapter() : new SqliteAdapter()),
      createDriver: () => driver,
      createIntrospector: (db) => (pg ? new PostgresIntrospector(db) : new SqliteIntrospector(db)),
      createQueryCompiler: () => (pg ? new PostgresQueryCompiler() : new SqliteQueryCompiler()),
    },
  });
  registerClient(db, client);
  return db;
}

function unsupported(): Error {
  return new Error("Use SqlClient.transaction() and typed(tx): it keeps BEGIN IMMEDIATE and the connection's queue.");
}

/** A Json column's value as written: always JSON text, so a JSON string is not stored bare on SQLite. */
export const jsonText = (value: unknown): string => JSON.stringify(value);

/** A nullable Json column's value: SQL NULL for null (or undefined), JSON text otherwise. */
export const jsonOrNull = (value: unknown): string | null =>
  value === null || value === undefined ? null : jsonText(value);

/** An aggregate's count: PostgreSQL returns COUNT as a bigint string, SQLite as a number. */
export const count = (value: string | number | bigint | undefined): number => Number(value ?? 0);
