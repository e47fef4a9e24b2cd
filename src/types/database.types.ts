// Views printed by `intg db …`. As with every --json view: fields are added, never renamed.

export type DatabaseProvider = "sqlite" | "postgresql";

export interface MigrationInfo {
  name: string;
  /** ISO-8601; null while a migration has been started but not finished. */
  appliedAt: string | null;
}

export interface DatabaseStatus {
  provider: DatabaseProvider;
  /** The URL with any password replaced by ****. */
  url: string;
  applied: MigrationInfo[];
  pending: string[];
  /** Applied migrations that are missing from this intg's folder or whose SQL changed. */
  drifted: string[];
  upToDate: boolean;
}

export interface DatabaseInfo {
  provider: DatabaseProvider;
  url: string;
  /** Where the URL came from: --db, INTG_DATABASE_URL, DATABASE_URL or the embedded default. */
  source: "--db" | "INTG_DATABASE_URL" | "DATABASE_URL" | "default" | "openIntg(url)";
  embedded: boolean;
  /** The last applied migration's name, or null for an empty database. */
  schemaVersion: string | null;
  pendingMigrations: number;
}

export interface MigrateResult {
  provider: DatabaseProvider;
  url: string;
  /** Migrations applied by this run (or, with --dry-run, that would be). */
  applied: string[];
  dryRun: boolean;
  upToDate: boolean;
}
