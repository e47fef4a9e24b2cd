// The driver adapter factories the schema engine runs over, with the fixes the engine needs
// from @prisma/adapter-better-sqlite3 7.10 and @prisma/adapter-pg 7.10. Loaded with the engine only.
import { randomBytes } from "node:crypto";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

export async function sqliteFactory(file: string): Promise<SqlMigrationAwareDriverAdapterFactory> {
  const { PrismaBetterSqlite3 } = await import("@prisma/adapter-better-sqlite3");
  // The busy timeout lets a migration wait for another intg process's write instead of failing.
  const factory = new PrismaBetterSqlite3({ url: file, timeout: 5000 }, { shadowDatabaseUrl: ":memory:" });
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => factory.connect(),
    connectToShadowDb: async () => acceptScripts(await factory.connectToShadowDb()),
  };
}

/**
 * The engine replays each migration into the SQLite shadow database with executeRaw, which
 * better-sqlite3 runs as one prepared statement and so refuses for a script of several; such a
 * script goes through executeScript instead.
 */
function acceptScripts(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.executeRaw = async (query) => {
    try {
      return await executeRaw(query);
    } catch (error) {
      if (query.args.length > 0 || !(error instanceof RangeError) || !/more than one statement/.test(error.message))
        throw error;
      await adapter.executeScript(query.sql);
      return 0;
    }
  };
  return adapter;
}

/**
 * adapter-pg 7.10's own connectToShadowDb replays into the real database when built from a URL,
 * and drops the shadow database before closing its pool (so the drop fails). This one creates a
 * uniquely named database, closes the pool first, then drops it with FORCE.
 */
export async function postgresFactory(url: string): Promise<SqlMigrationAwareDriverAdapterFactory> {
  const [{ PrismaPg }, { default: pg }] = await Promise.all([import("@prisma/adapter-pg"), import("pg")]);
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const connect = async (connectionString: string) => {
    const pool = charAsText(new pg.Pool({ connectionString }));
    // The adapter ends a pool it is given only when told to; the engine's connections must close.
    const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
    // adapter-pg splits a script at every ";", even inside a string or a function body, and runs
    // the pieces one by one. Sent whole as one simple query, PostgreSQL runs it atomically, as
    // Prisma's native engine does.
    adapter.executeScript = async (script) => void (await pool.query(script));
    return adapter;
  };
  return {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => connect(url),
    async connectToShadowDb() {
      const name = `intg_shadow_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
      await admin(`CREATE DATABASE "${name}"`);
      const shadowUrl = new URL(url);
      shadowUrl.pathname = `/${name}`;
      const adapter = await connect(shadowUrl.toString());
      const closePool = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        try {
          await closePool();
        } finally {
          await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        }
      };
      return adapter;
    },
  };
}

/**
 * The engine describes a schema with catalog queries whose columns include PostgreSQL's one-byte
 * "char" type (oid 18, e.g. pg_constraint.contype), which adapter-pg 7.10 refuses to map. Its
 * values arrive as one-character strings, so they are reported as text (oid 25).
 */
function charAsText<P extends { query: (...args: never[]) => unknown }>(pool: P): P {
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<{ fields?: { dataTypeID: number }[] }>;
  pool.query = (async (...args: unknown[]) => {
    const result = await query(...args);
    for (const field of result?.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
    return result;
  }) as unknown as P["query"];
  return pool;
}
