import { typed } from "../../db/kysely.js";
import { runningSyncJobs } from "../../db/queries/integration-sync-job.js";
import { formatDuration } from "../../lib/duration.js";
import type { DoctorCheck } from "../../types/doctor.types.js";
import type { ServiceContext } from "../context.js";
import { toJob } from "../sync/jobs.js";
import { fail, few, pass, plural } from "./finding.js";

/** Running sync jobs whose checkpoint has not moved for longer than `stalledAfterMs` (as `connections syncs` says). */
export async function checkSyncJobs(ctx: ServiceContext, stalledAfterMs: number): Promise<DoctorCheck> {
  const now = ctx.now();
  const running = (await runningSyncJobs(typed(ctx.sql))).map((r) => toJob(r, now, stalledAfterMs));
  const stalled = running.filter((j) => j.stalled);
  const limit = formatDuration(stalledAfterMs);
  if (stalled.length === 0)
    return pass(
      "sync-jobs",
      running.length ? `${plural(running.length, "job")} running, none stalled` : "no sync job is running",
    );
  const named = stalled.map(
    (j) => `${j.id} (${j.connectionId} ${j.resource}, last checkpoint ${j.heartbeatAt ?? j.startedAt})`,
  );
  const first = stalled[0]!;
  // A new run takes the job over once its lease is lost, and resumes from its checkpoint.
  const fix = `connections sync ${first.connectionId} --resource ${first.resource}`;
  return fail(
    "sync-jobs",
    `${plural(stalled.length, "sync job")} stalled (no checkpoint for over ${limit}): ${few(named)}`,
    fix,
  );
}
