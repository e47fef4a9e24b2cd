import { sql } from "kysely";
import { build, type Db } from "./kysely.js";
import {
  type Build,
  type Compiled,
  fromText,
  installCompiler,
  KEYED,
  type Provider,
  type StatementText,
} from "./prepared-run.js";
import type { SqlClient } from "./sql.js";

// Compiling statements with Kysely, for prepared-run.ts: loading this module installs the compiler
// there. What runs a statement lives there, without Kysely (a key verification loads no Kysely).

export {
  type Compiled,
  clientOf,
  ensureCompiled,
  type Prepared,
  prepared,
  preparedDb,
  providerOf,
  type StatementText,
} from "./prepared-run.js";
export type { Provider };

const MARK = "\u0000intg-parameter:";

/** Compiles a statement's text for `provider` (what compileFor and the build's precompiling run). */
export function statementText<P extends string>(
  provider: Provider,
  names: readonly P[],
  build: Build<unknown, P>,
): StatementText {
  const markers = Object.fromEntries(names.map((n) => [n, `${MARK}${n}`])) as unknown as Record<P, never>;
  const compiled = build(compiler(provider), markers, { sql }).compile();
  // Each compiled parameter is either a named slot (filled per run) or a constant of the build.
  const slots = compiled.parameters.map((v) =>
    typeof v === "string" && v.startsWith(MARK) ? { name: v.slice(MARK.length) } : { fixed: v },
  );
  for (const n of names) {
    if (!slots.some((s) => "name" in s && s.name === n)) throw new Error(`prepare: the parameter ${n} is never used.`);
  }
  return { sql: compiled.sql, slots };
}
installCompiler(statementText);

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
