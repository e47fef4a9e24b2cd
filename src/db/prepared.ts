import type { Compilable, QueryResult } from "kysely";
import { build, clientOf, type Db, providerOf } from "./kysely.js";
import type { SqlClient } from "./sql.js";

type Provider = SqlClient["provider"];
type Values<P extends string> = Readonly<Record<P, unknown>>;
type Build<R, P extends string> = (db: Db, p: Readonly<Record<P, never>>) => Compilable<R>;

const MARK = "\u0000intg-parameter:";

/** A statement compiled once for one provider, then run many times with new values (hot loops). */
export interface Compiled<R, P extends string> {
  readonly sql: string;
  run(db: Db, values: Values<P>): Promise<QueryResult<R>>;
  /** The first row only (a lookup by a unique column): on SQLite no array of rows is built. */
  first(db: Db, values: Values<P>): Promise<R | undefined>;
}

/**
 * Builds a statement once for `provider`: `build` receives a placeholder per name, typed to fit any
 * column, and the compiled statement runs with the values given each time. The worker's claim and
 * record run per batch, and a key verification per request; building the query each time would
 * cost more than the statement. Use it directly when the statement's shape depends on a run-time
 * number (a batch size) and keep the results; otherwise declare the statement with `prepared`.
 */
export function compileFor<R, P extends string>(
  provider: Provider,
  names: readonly P[],
  build: Build<R, P>,
): Compiled<R, P> {
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
  const parameters = (values: Values<P>) => slots.map((s) => (s.name === null ? s.fixed : values[s.name]));
  // Straight to the Db's client: Kysely's executor (a connection provider, a result transform,
  // several awaits) costs more per run than a hot lookup on SQLite does (keys: the verification).
  const viaKysely = (db: Db, values: Values<P>) => db.executeQuery<R>({ ...compiled, parameters: parameters(values) });
  return {
    sql: compiled.sql,
    run: async (db, values) => {
      const client = clientOf(db);
      if (!client) return viaKysely(db, values);
      const r = await client.query(compiled.sql, parameters(values));
      return { rows: r.rows as R[], numAffectedRows: BigInt(r.changes) };
    },
    // No async here: each await on the way is a measurable part of such a lookup.
    first: (db, values) => {
      const client = clientOf(db);
      if (!client) return viaKysely(db, values).then((r) => r.rows[0]);
      return client.query(compiled.sql, parameters(values), true).then((r) => r.rows[0] as R | undefined);
    },
  };
}

/** A module's hot statement: declared once, compiled on its first use on each provider. */
export interface Prepared<R, P extends string> {
  run(db: Db, values: Values<P>): Promise<QueryResult<R>>;
  first(db: Db, values: Values<P>): Promise<R | undefined>;
  /** The statement's text on a provider (for tools that measure it). */
  sqlFor(provider: Provider): string;
}

/** Declares a statement of a per-table module that runs per row or per request (see compileFor). */
export function prepared<R, P extends string>(names: readonly P[], build: Build<R, P>): Prepared<R, P> {
  let sqlite: Compiled<R, P> | undefined;
  let postgresql: Compiled<R, P> | undefined;
  const on = (provider: Provider): Compiled<R, P> =>
    provider === "sqlite"
      ? (sqlite ??= compileFor(provider, names, build))
      : (postgresql ??= compileFor(provider, names, build));
  return {
    run: (db, values) => on(providerOf(db)).run(db, values),
    first: (db, values) => on(providerOf(db)).first(db, values),
    sqlFor: (provider) => on(provider).sql,
  };
}

const compilers = new Map<Provider, Db>();
/** A Db that only compiles: it has no connection, and running anything on it fails. */
function compiler(provider: Provider): Db {
  let db = compilers.get(provider);
  if (!db) {
    const never = (): Promise<never> => Promise.reject(new Error("a compiling-only client runs nothing"));
    const client = { provider, query: never } as unknown as SqlClient;
    compilers.set(provider, (db = build(client)));
  }
  return db;
}

export { providerOf, type Provider };
