// What the developer scripts (scripts/create-migration.mjs) use from the built code. A bundle
// entry of its own, so the CLI's start-up never loads it.
export { listMigrationFiles, migrationsDir, migrationsList } from "./migrations.js";
export { diffToSchema } from "./schema-engine.js";
