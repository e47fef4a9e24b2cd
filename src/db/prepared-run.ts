import type { Compilable, QueryResult, sql } from "kysely";
import type { Db } from "./kysely.js";
import { PRECOMPILED } from "./precompiled.js";
import type { SqlClient } from "./sql.js";

// Running prepared statements, without Kysely: the CLI's keyed statements come compiled by the
// build (precompiled.ts) and run straight on the Db's SqlClient, so code that runs nothing else
// (`keys verify`) never loads Kysely's ~0.2 MB. Compiling one (a statement the build left out, or
// any statement when running from source) takes Kysely: prepared.ts installs that compiler when
// it loads, and ensureCompiled loads it where it may be missing.

export type Provider = SqlClient["provider"];
type Values<P extends string> = Readonly<Record<P, unknown>>;
/** What a statement's build gets besides the Db: Kysely's `sql` tag, so its module need not load Kysely. */
export type BuildTools = { readonly sql: typeof sql };
export type Build<R, P extends string> = (db: Db, p: Readonly<Record<P, never>>, t: BuildTools) => Compilable<R>;

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

type Compiler = (provider: Provider, names: readonly string[], build: Build<unknown, string>) => StatementText;
let compiler: Compiler | undefined;
/** How statements the build did not compile are compiled: prepared.ts, with Kysely. */
export const installCompiler = (c: Compiler): void => void (compiler = c);

const clients = new WeakMap<object, SqlClient>();
/** Records the client a Db runs on (typed() in kysely.ts, preparedDb). */
export const registerClient = (db: object, client: SqlClient): void => void clients.set(db, client);
/** The SqlClient a Db runs on, when intg made it (an app's Kysely instance has none). */
export const clientOf = (db: Db): SqlClient | undefined => clients.get(db);

let appProvider: ((db: Db) => Provider) | undefined;
/** How the provider of an app's own Kysely instance is told (kysely.ts, from its dialect). */
export const installAppProvider = (f: (db: Db) => Provider): void => void (appProvider = f);
/** The provider a Db runs on. */
export function providerOf(db: Db): Provider {
  const client = clients.get(db);
  if (client) return client.provider;
  if (!appProvider) throw new Error("intg: an app's Kysely instance needs intg's typed layer (db/kysely.ts) loaded.");
  return appProvider(db);
}

const placeholders = new WeakMap<SqlClient, Db>();
/**
 * A Db for prepared statements alone, on `client`, without building a Kysely instance: anything
 * else run on it fails. For code that runs prepared statements only (the key verifier).
 */
export function preparedDb(client: SqlClient): Db {
  let db = placeholders.get(client);
  if (!db) {
    db = Object.freeze({}) as Db;
    registerClient(db, client);
    placeholders.set(client, db);
  }
  return db;
}

/** A compiled statement from its text. */
export function fromText<R, P extends string>(text: StatementText): Compiled<R, P> {
  const { sql } = text;
  // One shape for every slot: a key verification binds them on every run.
  const slots = text.slots.map((s) =>
    "name" in s ? { name: s.name as P, fixed: null } : { name: null, fixed: s.fixed },
  );
  const parameters = (values: Values<P>) => slots.map((s) => (s.name === null ? s.fixed : values[s.name]));
  // Straight to the Db's client: Kysely's executor (a connection provider, a result transform,
  // several awaits) costs more per run than a hot lookup on SQLite does (keys: the verification).
  // An app's Kysely instance has no client: Kysely is loaded there already.
  const viaKysely = async (db: Db, values: Values<P>) => {
    const { CompiledQuery } = await import("kysely");
    return db.executeQuery<R>(CompiledQuery.raw(sql, parameters(values)));
  };
  return {
    sql,
    run: async (db, values) => {
      const client = clients.get(db);
      if (!client) return viaKysely(db, values);
      const r = await client.query(sql, parameters(values));
      return { rows: r.rows as R[], numAffectedRows: BigInt(r.changes) };
    },
    // No async here: each await on the way is a measurable part of such a lookup.
    first: (db, values) => {
      const client = clients.get(db);
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
  /** Whether it runs on `provider` without compiling (the build compiled it). */
  precompiledFor(provider: Provider): boolean;
}

/** Every keyed statement declared so far (the modules that declare them loaded). */
export const KEYED = new Map<string, { names: readonly string[]; build: Build<unknown, string> }>();

/**
 * Declares a statement of a per-table module that runs per row or per request (see compileFor in
 * prepared.ts). `key` names it for the build, which compiles every keyed statement on both
 * providers into the CLI (precompiled.ts): a command then runs it without building it with Kysely.
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
  const precompiled = (provider: Provider) => (key === undefined ? undefined : PRECOMPILED[key]?.[provider]);
  const compile = (provider: Provider): Compiled<R, P> => {
    const text = precompiled(provider);
    if (text) return fromText(text);
    if (!compiler) throw new Error("intg: a statement to compile, and Kysely not loaded (call ensureCompiled).");
    return fromText(compiler(provider, names, build as Build<unknown, string>));
  };
  const on = (provider: Provider): Compiled<R, P> =>
    provider === "sqlite" ? (sqlite ??= compile(provider)) : (postgresql ??= compile(provider));
  return {
    run: (db, values) => on(providerOf(db)).run(db, values),
    first: (db, values) => on(providerOf(db)).first(db, values),
    sqlFor: (provider) => on(provider).sql,
    precompiledFor: (provider) => precompiled(provider) !== undefined,
  };
}

/** Loads Kysely's compiler if one of `statements` is not precompiled for `provider` (from source, always). */
export async function ensureCompiled(provider: Provider, statements: ReadonlyArray<Prepared<unknown, never>>) {
  if (!compiler && statements.some((s) => !s.precompiledFor(provider))) await import("./prepared.js");
}
