import type { CommandContext } from "../../cli/context.js";
import type {
  IntegrationConnectionInfo,
  IntegrationHealthCheck,
  IntegrationSyncJob,
} from "../../types/integration/integration.types.js";

// The tables every connections command prints, so list, show and the writers agree on columns.

const lower = (s: string) => s.toLowerCase();

export async function printConnections(ctx: CommandContext, connections: IntegrationConnectionInfo[]): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(connections);
  if (connections.length === 0)
    return ctx.out.info(
      "No connections. Create one with: intg connections create --provider <slug> --environment <environment> --name <name>",
    );
  await ctx.out.table(
    ["ID", "PROVIDER", "ENV", "NAME", "STATUS", "LAST CHECKED", "CREATED"],
    connections.map((c) => [
      c.id,
      c.provider.slug,
      lower(c.environment),
      c.name,
      lower(c.status),
      c.lastCheckedAt ?? "never",
      c.createdAt,
    ]),
  );
}

export async function printConnection(ctx: CommandContext, c: IntegrationConnectionInfo): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(c);
  await ctx.out.details([
    ["id", c.id],
    ["name", c.name],
    ["provider", `${c.provider.slug} (${c.provider.id}, ${lower(c.provider.status)})`],
    ["environment", lower(c.environment)],
    ["status", lower(c.status)],
    [
      "config",
      c.config
        ? Object.entries(c.config)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(", ")
        : "",
    ],
    // Which credential, never its value.
    [
      "credential",
      c.credential
        ? `${c.credential.tokenType} ${c.credential.id} (master key ${c.credential.masterKeyId}, updated ${c.credential.updatedAt})`
        : "none",
    ],
    ["rate limit", c.rateLimitPerMinute === null ? "" : `${c.rateLimitPerMinute}/min`],
    ["last checked", c.lastCheckedAt ?? "never"],
    ["last healthy", c.lastHealthyAt ?? "never"],
    ["disabled", c.disabledAt ?? ""],
    ["created", c.createdAt],
    ["updated", c.updatedAt],
  ]);
}

/** Health checks; `labels` (provider and name per connection) adds those columns when known. */
export async function printHealthChecks(
  ctx: CommandContext,
  checks: IntegrationHealthCheck[],
  labels?: Record<string, { provider: string; name: string }>,
): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(checks);
  if (checks.length === 0) return ctx.out.info("No health checks.");
  const colour = (s: string) =>
    s === "HEALTHY"
      ? ctx.out.color.green(lower(s))
      : s === "DEGRADED"
        ? ctx.out.color.yellow(lower(s))
        : ctx.out.color.red(lower(s));
  const named = (id: string) => (labels ? [labels[id]?.provider ?? "", labels[id]?.name ?? ""] : []);
  await ctx.out.table(
    ["CONNECTION", ...(labels ? ["PROVIDER", "NAME"] : []), "STATUS", "HTTP", "LATENCY", "ERROR", "CHECKED"],
    checks.map((h) => [
      h.connectionId,
      ...named(h.connectionId),
      colour(h.status),
      h.httpStatus ?? "",
      h.latencyMs === null ? "" : `${h.latencyMs} ms`,
      h.errorKind ? `${h.errorKind}: ${h.errorMessage ?? ""}` : "",
      h.checkedAt,
    ]),
  );
}

/** A sync job's row, for `sync` (the job it ran) and `syncs` (the history). */
export const jobRow = (j: IntegrationSyncJob) => [
  j.id,
  j.resource,
  j.full ? "full" : "incremental",
  j.stalled ? "running (stalled)" : j.status,
  j.recordsRead,
  j.recordsCreated,
  j.recordsUpdated,
  j.recordsDeleted,
  j.errors.length,
  JSON.stringify(j.checkpoint ?? null),
  j.startedAt,
  j.finishedAt ?? "",
];
export const JOB_HEAD = [
  "JOB",
  "RESOURCE",
  "KIND",
  "STATUS",
  "READ",
  "CREATED",
  "UPDATED",
  "DELETED",
  "ERRORS",
  "CHECKPOINT",
  "STARTED",
  "FINISHED",
];
