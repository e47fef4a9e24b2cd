import { ConflictError, IntgError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { lockConnectionRow } from "../../db/queries/integration-connection.js";
import type { IntegrationSyncJob } from "../../types/integration/integration.types.js";
import { ConnectionClient } from "../connections/client.js";
import type { ServiceContext } from "../context.js";
import { applyPage, markDisappeared } from "./apply.js";
import { advanceJob, finishJob, getJob, insertJob, latestJob, leaseLost, resumeJob } from "./jobs.js";
import { fetchPage, firstCheckpoint, type Checkpoint } from "./pages.js";
import { planSync, type SyncPlan } from "./setup.js";

// `connections sync`: page after page, each page's references and the job's next checkpoint in one
// transaction. The job becomes "succeeded" only in the transaction that applies the last page (and,
// on a full sync, marks what disappeared), so no incomplete run can ever read as a success. A run
// that fails or is interrupted leaves its job "failed"/"interrupted" with its checkpoint; the next
// run of the same connection and resource (and the same --full) continues that job.

export interface SyncInput {
  connection: string;
  resource: string;
  full: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  /** After each page is committed (progress on stderr). */
  onPage?: (job: IntegrationSyncJob, items: number) => void;
}

export interface SyncRun {
  job: IntegrationSyncJob;
  resumed: boolean;
}

export async function runSync(ctx: ServiceContext, input: SyncInput): Promise<SyncRun> {
  const plan = await planSync(ctx.sql, input.connection, input.resource);
  const { jobId, resumed } = await claimJob(ctx, plan, input.full);
  const client = new ConnectionClient(ctx, input.signal);
  try {
    await pull(ctx, plan, jobId, input, client);
  } catch (error) {
    const interrupted = input.signal?.aborted === true || (error as IntgError).code === "INTERRUPTED";
    const message = (error as Error).message;
    await finishJob(ctx.sql, jobId, interrupted ? "interrupted" : "failed", ctx.now(), {
      error: { message, externalId: null },
    });
    const job = await getJob(ctx.sql, jobId, ctx.now());
    const hint = `Run the same command again to resume ${jobId} from ${JSON.stringify(job.checkpoint ?? "the first page")}.`;
    if (interrupted)
      throw new IntgError(
        "INTERRUPTED",
        `Sync ${jobId} interrupted after ${job.recordsRead} records.`,
        "interrupted",
        hint,
      );
    throw new IntgError(
      "SYNC_FAILED",
      `Sync ${jobId} failed after ${job.recordsRead} records: ${message}`,
      "failure",
      hint,
      { cause: error },
    );
  } finally {
    await client.close();
  }
  return { job: await getJob(ctx.sql, jobId, ctx.now()), resumed };
}

/** Continues the unfinished job of this connection+resource, or starts one. */
async function claimJob(
  ctx: ServiceContext,
  plan: SyncPlan,
  full: boolean,
): Promise<{ jobId: string; resumed: boolean }> {
  const now = ctx.now();
  return ctx.sql.transaction(async (tx) => {
    // Two syncs of one connection start one after the other (SQLite's BEGIN IMMEDIATE does this already).
    await lockConnectionRow(typed(tx), plan.connectionId);
    const last = await latestJob(tx, plan.connectionId, plan.resourceName, now);
    if (last?.status === "running" && !leaseLost(last, now)) {
      throw new ConflictError(
        `Sync ${last.id} of ${plan.resourceName} is already running (${last.leaseOwner}).`,
        "Wait for it, or see it with: intg connections syncs " + plan.connectionId,
        "SYNC_RUNNING",
      );
    }
    if (last && last.status !== "succeeded" && last.full === full) {
      await resumeJob(tx, last, now);
      return { jobId: last.id, resumed: true };
    }
    return { jobId: await insertJob(tx, plan.connectionId, plan.resourceName, full, now), resumed: false };
  });
}

async function pull(
  ctx: ServiceContext,
  plan: SyncPlan,
  jobId: string,
  input: SyncInput,
  client: ConnectionClient,
): Promise<void> {
  const started = await getJob(ctx.sql, jobId, ctx.now());
  let at = (started.checkpoint as Checkpoint | null) ?? firstCheckpoint(plan.style, plan.resource);
  const target = {
    connectionId: plan.connectionId,
    baseUrl: plan.baseUrl,
    style: plan.style,
    resource: plan.resource,
    timeoutMs: input.timeoutMs,
    signal: input.signal,
  };
  const page = {
    jobId,
    connectionId: plan.connectionId,
    resource: plan.resource,
    mapping: plan.mapping,
    actor: ctx.actor,
  };
  for (;;) {
    if (input.signal?.aborted) throw new IntgError("INTERRUPTED", "Interrupted.", "interrupted");
    const { items, next } = await fetchPage(ctx, client, target, at);
    const now = ctx.now();
    await ctx.sql.transaction(async (tx) => {
      const applied = await applyPage(tx, page, items, now);
      // The last page keeps its own checkpoint: a job is only ever resumed before it succeeds.
      await advanceJob(
        tx,
        jobId,
        {
          checkpoint: next ?? at,
          read: items.length,
          created: applied.created,
          updated: applied.updated,
          errors: applied.errors,
        },
        now,
      );
      if (next !== null) return;
      const deleted = input.full
        ? await markDisappeared(
            tx,
            { jobId, connectionId: plan.connectionId, externalType: plan.resource.externalType, actor: ctx.actor },
            now,
          )
        : 0;
      await finishJob(tx, jobId, "succeeded", now, { deleted });
    });
    input.onPage?.(await getJob(ctx.sql, jobId, ctx.now()), items.length);
    if (next === null) return;
    at = next;
  }
}
