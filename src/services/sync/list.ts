import type { IntegrationSyncJob } from "../../types/integration/integration.types.js";
import type { ServiceContext } from "../context.js";
import { resolveConnection } from "../refs/connections.js";
import { listJobs } from "./jobs.js";

// `connections syncs <connection>`: its sync jobs, newest first, named by id or by name.

export interface ListSyncJobsOptions {
  resource?: string;
  limit: number;
  /** A running job whose heartbeat is older than this is reported stalled. */
  stalledAfterMs: number;
}

export async function listSyncJobs(
  ctx: Pick<ServiceContext, "sql" | "now">,
  connection: string,
  options: ListSyncJobsOptions,
): Promise<IntegrationSyncJob[]> {
  const { id } = await resolveConnection(ctx.sql, connection);
  return listJobs(ctx.sql, id, { ...options, now: ctx.now() });
}
