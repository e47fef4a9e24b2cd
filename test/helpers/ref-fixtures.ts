// Providers and connections for the refs tests. The connections commands live on another branch,
// so the rows are inserted with SQL, as those commands would leave them.
import { Readable } from "node:stream";
import { openSql, type SqlClient } from "../../src/db/sql.js";
import { parseDbUrl } from "../../src/db/url.js";
import type { ServiceContext } from "../../src/services/context.js";
import { importReferences, type ImportInput } from "../../src/services/refs/import.js";
import { type ImportFormat, readRecords } from "../../src/services/refs/import-sources.js";
import { tempDb, tempDir, type TempDb } from "./databases.js";
import { intg } from "./spawn.js";

export interface SeededConnection {
  providerId: string;
  connectionId: string;
  name: string;
}

const T = new Date("2026-01-01T00:00:00.000Z");

export async function seedProvider(sql: SqlClient, slug: string, category = "CRM"): Promise<string> {
  const id = `prov_${slug}`;
  await sql.run(
    `INSERT INTO "IntegrationProvider" ("id","slug","name","category","baseUrl","authType","createdAt","updatedAt") VALUES (?,?,?,?,?,?,?,?)`,
    [id, slug, slug[0]!.toUpperCase() + slug.slice(1), category, `https://api.${slug}.test`, "API_KEY", T, T],
  );
  return id;
}

export async function seedConnection(
  sql: SqlClient,
  providerId: string,
  name: string,
  environment = "PRODUCTION",
): Promise<SeededConnection> {
  const connectionId = `conn_${name.replace(/[^a-z0-9]/gi, "")}`;
  await sql.run(
    `INSERT INTO "IntegrationConnection" ("id","providerId","name","environment","createdAt","updatedAt") VALUES (?,?,?,?,?,?)`,
    [connectionId, providerId, name, environment, T, T],
  );
  return { providerId, connectionId, name };
}

/** Two CRM providers with one connection each: hubspot (conn_hubspot) and salesforce (conn_salesforce). */
export async function seedTwoConnections(
  sql: SqlClient,
): Promise<{ hubspot: SeededConnection; salesforce: SeededConnection }> {
  const hubspot = await seedConnection(sql, await seedProvider(sql, "hubspot"), "hubspot");
  const salesforce = await seedConnection(sql, await seedProvider(sql, "salesforce"), "salesforce", "STAGING");
  return { hubspot, salesforce };
}

/** The same, through a database URL (for tests that run the built bin against a migrated database). */
export async function seedTwoConnectionsAt(url: string) {
  const sql = await openSql(parseDbUrl(url, "--db", process.cwd()));
  try {
    return await seedTwoConnections(sql);
  } finally {
    await sql.close();
  }
}

/**
 * For tests of the built bin: a migrated database of the provider with the two connections, and
 * `run` for `intg` against it. Call `setup` in beforeAll and `dispose` in afterAll.
 */
export function seededBin(provider: "sqlite" | "postgresql") {
  const home = tempDir();
  let db: TempDb | undefined;
  let env: Record<string, string> = {};
  const run = (args: string[], input?: string) => intg(args, { env, input });
  return {
    home: home.path,
    run,
    /** The database URL and environment `run` uses, for tests that spawn intg themselves. */
    url: () => db!.url,
    env: () => env,
    async setup() {
      db = await tempDb(provider);
      env = { HOME: home.path, INTG_DATABASE_URL: db.url, INTG_ACTOR: "e2e" };
      const migrated = await run(["db", "migrate"]);
      if (migrated.code !== 0) throw new Error(`db migrate: ${migrated.stderr}`);
      await seedTwoConnectionsAt(db.url);
    },
    async dispose() {
      await db?.dispose();
      home.dispose();
    },
  };
}

/** `refs import` of a text into conn_hubspot, inserting, not atomic, unless `over` says otherwise. */
export function importText(
  ctx: ServiceContext,
  text: string,
  format: ImportFormat,
  over: Partial<ImportInput> = {},
  batch = 500,
) {
  return importReferences(ctx, {
    source: "test",
    connection: "conn_hubspot",
    mode: "insert",
    dryRun: false,
    atomic: false,
    batches: readRecords(Readable.from([text]), format, batch),
    ...over,
  });
}
