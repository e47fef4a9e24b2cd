import type BetterSqlite3 from "better-sqlite3";
import type { Writable } from "node:stream";
import type pg from "pg";
import { DatabaseError } from "../errors.js";
import { openSqlite } from "../lib/sqlite.js";
import { rowBuilder } from "./sqlite-types.js";
import { lostConnection } from "./transient.js";
import type { DbTarget, Provider } from "./url.js";

export type Row = Record<string, unknown>;

/**
 * SQL straight through the driver, for the paths where Prisma's client costs too much: loading it
 * takes ~0.25 s, five times a bare `node`, and the CLI starts again for every command. The same
 * statement runs on both providers: write `?` placeholders and double-quoted identifiers, and
 * read values through `col` (SQLite returns dates as text, booleans as 0/1, JSON as text).
 */
export interface SqlClient {
  readonly provider: Provider;
  /** True on the client a transaction() callback receives: what it writes commits later. */
  readonly inTransaction?: boolean;
  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /**
   * Rows as arrays, in the order of the select list. For wide, long results: the driver builds
   * arrays much faster than objects with many keys (better-sqlite3 makes those slow objects).
   */
  rows(sql: string, params?: readonly unknown[]): Promise<unknown[][]>;
  /**
   * One statement for the typed query layer (kysely.ts): rows come back as the schema's types on
   * both providers (on SQLite, DATETIME columns as Date, BOOLEAN as boolean, JSONB parsed).
   * `first`: only the first row is wanted (SQLite then stops there and builds no array).
   */
  query(sql: string, params: readonly unknown[], first?: boolean): Promise<{ rows: Row[]; changes: number }>;
  /** Returns the number of rows changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /**
   * PostgreSQL only: runs a `COPY … FROM STDIN` statement fed by the stream returned, which emits
   * 'finish' once the server has the rows (end it) or 'error'. Bulk loads: the COPY protocol
   * skips a statement's parsing and binding per row. The connection runs nothing else until the
   * stream is done (later statements wait): use it on a transaction's `tx`, and end the stream
   * before awaiting any other statement.
   */
  copyFrom?(sql: string): Promise<Writable>;
  /**
   * PostgreSQL: while held, a lost connection is not opened again: session state (the master-key
   * rotation's session lock) went with it, so the next statement fails instead of running unprotected.
   */
  holdSession?(held: boolean): void;
  /**
   * Runs fn in one transaction; on SQLite it takes the write lock up front (BEGIN IMMEDIATE).
   * Inside, use the `tx` given to fn (and pass it on): calling the outer client's transaction()
   * there would queue behind the running transaction and never start.
   */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// The worker formats several dates per delivery, nearly all within the same second: the text up
// to the second is kept, and only the milliseconds are formatted again.
let cachedSecond = NaN;
let cachedPrefix = "";
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_800_000; // 10000-01-01: toISOString's form changes
const FIRST_FOUR_DIGIT_YEAR_MS = -62_167_219_200_000; // 0000-01-01

/**
 * Prisma's SQLite adapter stores DateTime as ISO-8601 text with "+00:00"; raw writes must match.
 * SQLite compares that text as text, which is time order only while the year has four digits
 * ("+010000-…" sorts before "2026-…"), so a date outside years 0000-9999 is refused, not stored.
 * The CLI's flags keep dates within 100 years of now, so only a caller's bug reaches the throw.
 */
export function sqliteDate(d: Date): string {
  const t = d.getTime();
  if (!(t >= FIRST_FOUR_DIGIT_YEAR_MS && t < LAST_FOUR_DIGIT_YEAR_MS)) {
    const what = Number.isNaN(t) ? "invalid date" : d.toISOString();
    throw new RangeError(`A date outside the years 0000-9999 cannot be stored (${what}).`);
  }
  if (t < 0) return d.toISOString().replace("Z", "+00:00");
  const second = Math.floor(t / 1000);
  if (second !== cachedSecond) {
    cachedPrefix = d.toISOString().slice(0, 20); // "2026-12-01T13:22:03."
    cachedSecond = second;
  }
  const ms = t - second * 1000;
  return `${cachedPrefix}${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}+00:00`;
}

export const col = {
  date: (v: unknown): Date => (v instanceof Date ? v : new Date(typeof v === "number" ? v : String(v))),
  dateOrNull: (v: unknown): Date | null => (v === null || v === undefined ? null : col.date(v)),
  bool: (v: unknown): boolean => v === true || v === 1 || v === "1" || v === "t",
  int: (v: unknown): number => Number(v),
  json: <T>(v: unknown): T => (typeof v === "string" ? JSON.parse(v) : v) as T,
  /** ISO-8601 in UTC, as views print dates; SQLite's stored form converts without a Date. */
  iso: (v: unknown): string | null => {
    if (v === null || v === undefined) return null;
    if (typeof v === "string" && v.length === 29 && v.endsWith("+00:00")) return v.slice(0, 23) + "Z";
    return col.date(v).toISOString();
  },
};

export async function openSql(target: DbTarget): Promise<SqlClient> {
  if (target.provider === "postgresql") return postgresClient(target.url);
  const db = openSqlite(target.file!, { fileMustExist: target.file !== ":memory:", timeout: 5000 });
  // In WAL mode NORMAL never corrupts the file and skips an fsync per commit; a power cut can
  // only lose the last commits. Usage records are written on nearly every command.
  db.pragma("synchronous = NORMAL");
  return sqliteClient(db);
}

export function sqliteParams(params: readonly unknown[]): readonly unknown[] {
  // The hot lookups bind strings only; skip the copy when there is nothing to convert.
  if (params.every((p) => typeof p === "string" || typeof p === "number")) return params;
  return params.map((p) =>
    p instanceof Date
      ? sqliteDate(p)
      : typeof p === "boolean"
        ? p
          ? 1
          : 0
        : p !== null && typeof p === "object"
          ? JSON.stringify(p)
          : p,
  );
}

function sqliteClient(db: BetterSqlite3.Database): SqlClient {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const stmt = (sql: string) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const rawCache = new Map<string, BetterSqlite3.Statement>();
  const rawStmt = (sql: string) => {
    let s = rawCache.get(sql);
    if (!s) rawCache.set(sql, (s = db.prepare(sql).raw(true)));
    return s;
  };
  // The typed layer's statements, each with what query() needs found once: whether it reads (the
  // getter costs a measurable part of a hot lookup) and how to build its rows (raw mode).
  type Typed = { s: BetterSqlite3.Statement; build: ((values: unknown[]) => Row) | null };
  const typedCache = new Map<string, Typed>();
  const typedStmt = (sql: string) => {
    let q = typedCache.get(sql);
    if (!q) {
      const s = db.prepare(sql);
      typedCache.set(sql, (q = { s, build: s.reader ? rowBuilder(s.raw(true)) : null }));
    }
    return q;
  };
  const client: SqlClient = {
    provider: "sqlite",
    all: async <T>(sql: string, params: readonly unknown[] = []) => stmt(sql).all(...sqliteParams(params)) as T[],
    get: async <T>(sql: string, params: readonly unknown[] = []) =>
      stmt(sql).get(...sqliteParams(params)) as T | undefined,
    rows: async (sql, params = []) => rawStmt(sql).all(...sqliteParams(params)) as unknown[][],
    run: async (sql, params = []) => stmt(sql).run(...sqliteParams(params)).changes,
    query: async (sql, params, first) => {
      const { s, build } = typedStmt(sql);
      if (!build) return { rows: [], changes: s.run(...sqliteParams(params)).changes };
      if (!first) return { rows: (s.all(...sqliteParams(params)) as unknown[][]).map(build), changes: 0 };
      const values = s.get(...sqliteParams(params)) as unknown[] | undefined;
      return { rows: values === undefined ? [] : [build(values)], changes: 0 };
    },
    transaction: () => Promise.reject(new Error("replaced below")),
    close: async () => void db.close(),
  };
  client.transaction = transactions(
    client,
    async () => void db.exec("BEGIN IMMEDIATE"),
    async () => void db.exec("COMMIT"),
    async () => void (db.inTransaction && db.exec("ROLLBACK")),
  );
  return client;
}

/**
 * transaction() for one connection. A connection holds one transaction at a time, so concurrent
 * callers queue. The callback gets a client bound to the open transaction, whose own
 * transaction() joins it: services pass `tx` on to the services they call.
 *
 * While a transaction is queued or open, a statement on the outer client queues behind it too:
 * otherwise it would run on the same connection inside the open transaction (the worker's lease
 * heartbeat landing in a batch's transaction, and rolled back with it). With no transaction
 * pending, statements run at once, without the queue's extra promise.
 */
function transactions(
  self: SqlClient,
  begin: () => Promise<void>,
  commit: () => Promise<void>,
  rollback: () => Promise<void>,
): SqlClient["transaction"] {
  // AsyncLocalStorage would tell a nested call from a concurrent one too, but it turns on
  // promise hooks that slow every await in the process, key verification included.
  const raw = { all: self.all, get: self.get, rows: self.rows, run: self.run, query: self.query };
  const inTx: SqlClient = { ...self, ...raw, inTransaction: true, transaction: (fn) => fn(inTx) };
  let queue: Promise<unknown> = Promise.resolve();
  let pending = 0;
  const enqueue = <T>(job: () => Promise<T>): Promise<T> => {
    pending++;
    const next = queue.then(job, job).finally(() => void pending--);
    queue = next.catch(() => undefined);
    return next;
  };
  const outer = self as { -readonly [K in keyof typeof raw]: (typeof raw)[K] };
  outer.all = (sql, params) => (pending === 0 ? raw.all(sql, params) : enqueue(() => raw.all(sql, params)));
  outer.get = (sql, params) => (pending === 0 ? raw.get(sql, params) : enqueue(() => raw.get(sql, params)));
  outer.rows = (sql, params) => (pending === 0 ? raw.rows(sql, params) : enqueue(() => raw.rows(sql, params)));
  outer.run = (sql, params) => (pending === 0 ? raw.run(sql, params) : enqueue(() => raw.run(sql, params)));
  outer.query = (sql, params, first) =>
    pending === 0 ? raw.query(sql, params, first) : enqueue(() => raw.query(sql, params, first));
  return <T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> =>
    enqueue(async () => {
      await begin();
      try {
        const result = await fn(inTx);
        await commit();
        return result;
      } catch (error) {
        await rollback();
        throw error;
      }
    });
}

/** `?` placeholders become `$1…$n`. Our statements never hold a literal `?`. */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export function postgresParams(params: readonly unknown[]): unknown[] {
  // Prisma's columns are TIMESTAMP(3) without time zone, holding UTC: send UTC text, not the
  // driver's local-time rendering of a Date.
  return params.map((p) =>
    p instanceof Date
      ? p.toISOString()
      : p !== null && typeof p === "object" && !Buffer.isBuffer(p)
        ? JSON.stringify(p)
        : p,
  );
}

async function postgresClient(url: string): Promise<SqlClient> {
  const { default: pgm } = await import("pg");
  const types = {
    getTypeParser: (oid: number, format?: "text" | "binary") =>
      oid === 1114 ? (s: string) => new Date(s + "Z") : pgm.types.getTypeParser(oid, format as "text"),
  };
  let broken = false;
  let inTransaction = false;
  let held = false;
  const open = async () => {
    const c: pg.Client = new pgm.Client({ connectionString: url, types: types as pg.CustomTypesConfig });
    // The pending query hears why; a replaced connection's late errors change nothing.
    c.on("error", () => {
      if (c === conn) broken = true;
    });
    await c.connect();
    return c;
  };
  let conn: pg.Client = await open();
  // A connection the server or the network cut (a restart, a failover, pg_terminate_backend) is
  // opened again by the next statement outside a transaction, so a long-running worker lives on;
  // inside one the transaction fails, as it must: its earlier statements went with the connection.
  const live = async (): Promise<pg.Client> => {
    if (!broken) return conn;
    if (inTransaction) throw new DatabaseError("The connection to PostgreSQL was lost inside a transaction.");
    if (held) throw new DatabaseError("The connection to PostgreSQL was lost, and the session lock it held with it.");
    void conn.end().catch(() => undefined);
    conn = await open();
    broken = false;
    return conn;
  };
  // pg queues concurrent queries itself but deprecates it (a warning on stderr): callers that run
  // in parallel (connections check) are put in line here instead, in the same order.
  let last: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const run = async () => {
      try {
        return await fn(await live());
      } catch (error) {
        if (lostConnection(error)) broken = true;
        throw error;
      }
    };
    const next = last.then(run, run);
    last = next.catch(() => undefined);
    return next;
  };
  const query = (sql: string, params: readonly unknown[]) =>
    serial((c) => c.query(numbered(sql), postgresParams(params)));
  const client: SqlClient = {
    provider: "postgresql",
    all: async <T>(sql: string, params: readonly unknown[] = []) => (await query(sql, params)).rows as T[],
    get: async <T>(sql: string, params: readonly unknown[] = []) => (await query(sql, params)).rows[0] as T | undefined,
    rows: async (sql, params = []) =>
      (await serial((c) => c.query({ text: numbered(sql), values: postgresParams(params), rowMode: "array" })))
        .rows as unknown[][],
    run: async (sql, params = []) => (await query(sql, params)).rowCount ?? 0,
    query: async (sql, params) => {
      const r = await query(sql, params);
      return { rows: r.rows, changes: r.rowCount ?? 0 };
    },
    copyFrom: async (sql) => {
      const { from } = await import("pg-copy-streams"); // loaded by bulk imports only
      const stream = from(sql);
      // In line like any statement, done when the stream closes or fails (its caller hears how).
      const done = new Promise<void>((resolve) => stream.once("close", resolve).once("error", () => resolve()));
      void serial((c) => (c.query(stream), done));
      return stream;
    },
    transaction: () => Promise.reject(new Error("replaced below")),
    holdSession: (on) => void (held = on),
    close: () => conn.end(),
  };
  client.transaction = transactions(
    client,
    async () =>
      void (await serial(async (c) => {
        await c.query("BEGIN");
        inTransaction = true;
      })),
    async () => void (await serial((c) => c.query("COMMIT")).finally(() => (inTransaction = false))),
    async () =>
      void (await serial((c) => c.query("ROLLBACK"))
        .catch(() => undefined)
        .finally(() => (inTransaction = false))),
  );
  return client;
}
