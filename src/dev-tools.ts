// What the developer scripts and benchmarks (scripts/, bench/) use from the built code. A bundle
// entry of its own, so the CLI's start-up never loads it.
import { keyLookup } from "./db/queries/api-key.js";

export { listMigrationFiles, migrationsDir, migrationsList, applyPendingMigrations } from "./db/migrations.js";
export { diffToSchema } from "./db/schema-engine.js";
export { openDatabase } from "./db/client.js";
export { parseDbUrl } from "./db/url.js";
export { openSqlite } from "./lib/sqlite.js";
export { createKey } from "./services/keys/create.js";
export { KeyVerifier } from "./services/keys/verify.js";
/** The verification's lookup on SQLite, for the benchmark's raw indexed SELECT. */
export const KEY_LOOKUP = keyLookup.sqlFor("sqlite");
export { sendBatch } from "./services/webhooks/send.js";
export { createEndpoint } from "./services/webhooks/create-endpoint.js";
export { createProvider } from "./services/providers/write.js";
export { createConnection } from "./services/connections/write.js";
