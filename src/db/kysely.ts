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
/** The client under each Db, for prepared statements to run on directly (see prepare). */
const clients = new WeakMap<Db, SqlClient>();

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
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => (pg ? new PostgresAdapter() : new SqliteAdapter()),
      createDriver: () => driver,
      createIntrospector: (db) => (pg ? new PostgresIntrospector(db) : new SqliteIntrospector(db)),
      createQueryCompiler: () => (pg ? new PostgresQueryCompiler() : new SqliteQueryCompiler()),
    },
  });
  clients.set(db, client);
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

const MARK = "\u0000intg-parameter:";

/** A statement built and compiled once, then run many times with new values (hot loops). */
export interface Prepared<R, P extends string> {
  readonly sql: string;
  run(db: Db, values: Readonly<Record<P, unknown>>): Promise<QueryResult<R>>;
  /** The first row only (a lookup by a unique column): on SQLite no array of rows is built. */
  first(db: Db, values: Readonly<Record<P, unknown>>): Promise<R | undefined>;
}

/**
 * Builds a statement once per provider: `build` receives a placeholder per name, typed to fit any
 * column, and the compiled statement is run with the values given each time. The worker's claim
 * and record run per batch; building the query each time would cost more than the statement.
 */
export function prepare<R, P extends string>(
  provider: SqlClient["provider"],
  names: readonly P[],
  build: (db: Db, p: Readonly<Record<P, never>>) => Compilable<R>,
): Prepared<R, P> {
  const markers = Object.fromEntries(names.map((n) => [n, `${MARK}${n}`])) as unknown as Record<P, never>;
  const compiled = build(compiler(provider), markers).compile();
  // Each compiled parameter is either a named slot (filled per run) or a constant of the build.
  const slots: Array<{ name: P | null; fixed: unknown }> = compiled.parameters.map((v) =>
    typeof v === "string" && v.startsWith(MARK)
      ? { name: v.slice(MARK.length) as P, fixed: null }
      : { name: null, fixed: v },
  );
  for (const n of names) {
    if (!slots.some((s) => s.name === n)) throw new Error(`prepare: the parameter ${n} is never used.`);
  }
  type Values = Readonly<Record<P, unknown>>;
  const parameters = (values: Values) => slots.map((s) => (s.name === null ? s.fixed : values[s.name]));
  // Straight to the Db's client: Kysely's executor (a connection provider, a result transform,
  // several awaits) costs more per run than a hot lookup on SQLite does (keys: the verification).
  const viaKysely = (db: Db, values: Values) => db.executeQuery<R>({ ...compiled, parameters: parameters(values) });
  return {
    sql: compiled.sql,
    run: async (db, values) => {
      const client = clients.get(db);
      if (!client) return viaKysely(db, values);
      const r = await client.query(compiled.sql, parameters(values));
      return { rows: r.rows as R[], numAffectedRows: BigInt(r.changes) };
    },
    // No async here: each await on the way is a measurable part of such a lookup.
    first: (db, values) => {
      const client = clients.get(db);
      if (!client) return viaKysely(db, values).then((r) => r.rows[0]);
      return client.query(compiled.sql, parameters(values), true).then((r) => r.rows[0] as R | undefined);
    },
  };
}

const compilers = new Map<SqlClient["provider"], Db>();
function compiler(provider: SqlClient["provider"]): Db {
  let db = compilers.get(provider);
  if (!db) {
    const never = (): Promise<never> => Promise.reject(new Error("a compiling-only client runs nothing"));
    const client = { provider, query: never } as unknown as SqlClient;
    compilers.set(provider, (db = build(client)));
  }
  return db;
}
