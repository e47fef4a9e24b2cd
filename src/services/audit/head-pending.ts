// Whether an audit event was appended inside a transaction that was still open, so the head kept
// outside the database must be synced when the command ends. A module of its own, importing
// nothing: the CLI asks it on every exit, and loading head.ts would load the whole data layer
// (Kysely's modules and the integrity services) at every start-up, `--version` included.

let pending = false;

/** An event was appended inside a transaction still open: sync when the command ends. */
export function noteAppended(): void {
  pending = true;
}

export function headSyncPending(): boolean {
  return pending;
}

/** The sync is under way (or not needed any more). */
export function clearHeadSyncPending(): void {
  pending = false;
}
