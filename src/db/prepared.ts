import { type Compilable, CompiledQuery, type QueryResult } from "kysely";
import { build, clientOf, type Db, providerOf } from "./kysely.js";
import { PRECOMPILED } from "./precompiled.js";
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
 * A statement's text on one provider and where each parameter comes from: a named value given at
 * each run, or a constant of the build. Plain data, so that the build can compile a statement
 * ahead of time (precompiled.ts) and a run needs no Kysely at all.
 */
export interface StatementText {
  readonly sql: string;
  readonly slots: ReadonlyArray<{ readonly name: string } | { readonly fixed: unknown }>;
}

/** Compiles a statement's text for `provider` (what compileFor and the build's precompiling run). */
export function statementText<P extends string>(
  provider: Provider,
  names: readonly P[],
  build: Build<unknown, P>,
): StatementText {
  const markers = Object.fromEntries(names.map((n) => [n, `${MARK}${n}`])) as unknown as Record<P, never>;
  const compiled = build(compiler(provider), markers).compile();
  // Each compiled parameter is either a named slot (filled per run) or a constant of the build.
  const slots = compiled.parameters.map((v) =>
    typeof v === "string" && v.startsWith(MARK) ? { name: v.slice(MARK.length) } : { fixed: v },
  );
  for (const n of names) {
    if (!slots.some((s) => "name" in s && s.name === n)) throw new Error(`prepare: the parameter ${n} is never used.`);
  }
  return { sql: compiled.sql, slots };
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
  return fromText(statementText(provider, names, build));
}

/** A compiled statement from its text. */
function fromText<R, P extends string>(text: StatementText): Compiled<R, P> {
  const { sql } = text;
  // One shape for every slot: a key verification binds them on every run.
  const slots = text.slots.map((s) =>
    "name" in s ? { name: s.name as P, fixed: null } : { name: null, fixed: s.fixed },
  );
  const parameters = (values: Values<P>) => slots.map((s) => (s.name === null ? s.fixed : values[s.name]));
  // Straight to the Db's client: Kysely's executor (a connection provider, a result transform,
  // several awaits) costs more per run than a hot lookup on SQLite does (keys: the verification).
  const viaKysely = (db: Db, values: Values<P>) => db.executeQuery<R>(CompiledQuery.raw(sql, parameters(values)));
  return {
    sql,
    run: async (db, values) => {
      const client = clientOf(db);
      if (!client) return viaKysely(db, values);
      const r = await client.query(sql, parameters(values));
      return { rows: r.rows as R[], numAffectedRows: BigInt(r.changes) };
    },
    // No async here: each await on the way is a measurable part of such a lookup.
    first: (db, values) => {
      const client = clientOf(db);
      if (!client) return viaKysely(db, values).then((r) => r.rows[0]);
      return client.query(sql, parameters(values), true).then((r) => r.rows[0] as R | undefined);
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

/**
 * Declares a statement of a per-table module that runs per row or per request (see compileFor).
 * `key` names it for the build, which compiles every keyed statement on both providers into the
 * CLI (precompiled.ts): a command then runs it without building it with Kysely first.
 */
export function prepared<R, P extends string>(
  names: readonly P[],
  build: Build<R, P>,
  options: { key?: string } = {},
): Prepared<R, P> {
  const { key } = options;
  if (key !== undefined) {
    if (KEYED.has(key)) throw new Error(`prepare: the key ${key} is declared twice.`);
    KEYED.set(key, { names, build: build as Build<unknown, string> });
  }
  let sqlite: Compiled<R, P> | undefined;
  let postgresql: Compiled<R, P> | undefined;
  const compile = (provider: Provider): Compiled<R, P> => {
    const text = key === undefined ? undefined : PRECOMPILED[key]?.[provider];
    return text ? fromText(text) : compileFor(provider, names, build);
  };
  const on = (provider: Provider): Compiled<R, P> =>
    provider === "sqlite" ? (sqlite ??= compile(provider)) : (postgresql ??= compile(provider));
  return {
    run: (db, values) => on(providerOf(db)).run(db, values),
    first: (db, values) => on(providerOf(db)).first(db, values),
    sqlFor: (provider) => on(provider).sql,
  };
}

/** Every keyed statement declared so far (the modules that declare them loaded). */
const KEYED = new Map<string, { names: readonly string[]; build: Build<unknown, string> }>();

/**
 * The text of every keyed statement on both providers, for the build to put into the CLI. A
 * statement with a constant that JSON cannot carry as it is (a Date) is left to compile at run time.
 */
export function keyedStatementTexts(): Record<string, Record<Provider, StatementText>> {
  const out: Record<string, Record<Provider, StatementText>> = {};
  for (const [key, { names, build }] of KEYED) {
    const texts = {
      sqlite: statementText("sqlite", names, build),
      postgresql: statementText("postgresql", names, build),
    };
    const plain = (t: StatementText) =>
      t.slots.every((s) => "name" in s || s.fixed === null || ["string", "number", "boolean"].includes(typeof s.fixed));
    if (plain(texts.sqlite) && plain(texts.postgresql)) out[key] = texts;
  }
  return out;
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
