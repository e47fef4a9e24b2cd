// The view `intg doctor` prints. As with every --json view: fields are added, never renamed.

/** What each check looks at; the names are stable, for scripts that pick one out of the JSON. */
export type DoctorCheckName =
  | "database"
  | "master-key"
  | "audit-chain"
  | "keys-expiring"
  | "key-rotations"
  | "webhook-endpoints"
  | "webhook-backlog"
  | "connections"
  | "sync-jobs";

/** skip: not run, because the database check failed and the rest need a current database. */
export type DoctorCheckStatus = "pass" | "warn" | "fail" | "skip";

export interface DoctorCheck {
  name: DoctorCheckName;
  status: DoctorCheckStatus;
  /** One line: what was found. */
  reason: string;
  /** The command that fixes it (or shows what to fix), run against the same database; null when none is needed. */
  fix: string | null;
  /** A failure caused by a credential or the master key (exit 4) rather than by the installation's health (exit 3). */
  credential: boolean;
}
