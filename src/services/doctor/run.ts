import type { DbTarget } from "../../db/url.js";
import type { DoctorCheck, DoctorCheckName } from "../../types/doctor.types.js";
import type { ServiceContext } from "../context.js";
import { checkAuditChain } from "./audit.js";
import { checkConnectionHealth } from "./connections.js";
import { checkDatabase } from "./database.js";
import { guarded, skip } from "./finding.js";
import { checkExpiringKeys, checkRotations } from "./keys.js";
import { checkMasterKey } from "./master-key.js";
import { checkSyncJobs } from "./sync.js";
import { checkBacklog, checkEndpoints } from "./webhooks.js";

// `intg doctor`: every check over the installation, in a fixed order, each with its own status.
// The database comes first: the others read it, so when it fails they are skipped, not failed.

export interface DoctorInput {
  expiringWithinMs: number;
  maxBacklogAgeMs: number;
  stalledAfterMs: number;
  /** Run the connections' health requests now instead of reading their last check. */
  checkConnections: boolean;
  checkTimeoutMs: number;
  signal?: AbortSignal;
}

type Check = [DoctorCheckName, (ctx: ServiceContext, input: DoctorInput) => Promise<DoctorCheck>];

const CHECKS: readonly Check[] = [
  ["master-key", (ctx) => checkMasterKey(ctx)],
  ["audit-chain", (ctx) => checkAuditChain(ctx)],
  ["keys-expiring", (ctx, input) => checkExpiringKeys(ctx, input.expiringWithinMs)],
  ["key-rotations", (ctx) => checkRotations(ctx)],
  ["webhook-endpoints", (ctx) => checkEndpoints(ctx)],
  ["webhook-backlog", (ctx, input) => checkBacklog(ctx, input.maxBacklogAgeMs)],
  [
    "connections",
    (ctx, input) =>
      checkConnectionHealth(ctx, {
        now: input.checkConnections,
        timeoutMs: input.checkTimeoutMs,
        signal: input.signal,
      }),
  ],
  ["sync-jobs", (ctx, input) => checkSyncJobs(ctx, input.stalledAfterMs)],
];

/** Every check's finding; `open` gives the services their (migrated) database once it is known to be current. */
export async function runDoctor(
  target: DbTarget,
  open: () => Promise<ServiceContext>,
  input: DoctorInput,
): Promise<DoctorCheck[]> {
  const database = await checkDatabase(target, open);
  if (database.status === "fail") return [database, ...CHECKS.map(([name]) => skip(name))];
  const ctx = await open();
  const results = [database];
  // One after another: SQLite has one connection, and on PostgreSQL each check is one or two
  // indexed statements; running them in parallel would buy little and muddle their errors.
  for (const [name, run] of CHECKS) results.push(await guarded(name, () => run(ctx, input)));
  return results;
}
