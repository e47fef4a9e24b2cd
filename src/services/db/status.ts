import { applyPendingMigrations, readMigrationState } from "../../db/migrations.js";
import type { DbTarget } from "../../db/url.js";
import type { DatabaseInfo, DatabaseStatus, MigrateResult } from "../../types/database.types.js";

// These services read and apply migrations through src/db/migrations.ts, which uses the raw
// drivers (and loads the schema engine only to apply), never the Prisma client: `db status` is
// the cold-start benchmark and must stay cheap.

export async function getDatabaseStatus(target: DbTarget): Promise<DatabaseStatus> {
  const state = await readMigrationState(target);
  return {
    provider: target.provider,
    url: target.redacted,
    applied: state.applied.map((m) => ({ name: m.name, appliedAt: m.appliedAt?.toISOString() ?? null })),
    pending: state.pending,
    drifted: state.drifted,
    upToDate: state.pending.length === 0 && state.drifted.length === 0,
  };
}

export async function getDatabaseInfo(target: DbTarget): Promise<DatabaseInfo> {
  const status = await getDatabaseStatus(target);
  return {
    provider: target.provider,
    url: target.redacted,
    source: target.source,
    embedded: target.embedded,
    schemaVersion: status.applied.at(-1)?.name ?? null,
    pendingMigrations: status.pending.length,
  };
}

export async function migrateDatabase(target: DbTarget, input: { dryRun: boolean }): Promise<MigrateResult> {
  const applied = input.dryRun ? (await readMigrationState(target)).pending : await applyPendingMigrations(target);
  return {
    provider: target.provider,
    url: target.redacted,
    applied,
    dryRun: input.dryRun,
    upToDate: !input.dryRun || applied.length === 0,
  };
}
