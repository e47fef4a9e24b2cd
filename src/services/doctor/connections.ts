import { IntegrationConnectionStatus } from "../../db/generated/kysely/enums.js";
import { typed } from "../../db/kysely.js";
import { connectionsNotHealthy } from "../../db/queries/integration-connection.js";
import type { DoctorCheck } from "../../types/doctor.types.js";
import type { ServiceContext } from "../context.js";
import { fail, few, pass, plural, warn } from "./finding.js";

const { CREDENTIALS_INVALID, DEGRADED, PENDING, UNHEALTHY } = IntegrationConnectionStatus;

export interface ConnectionsCheckInput {
  /** Run every connection's health request now (`connections check --all`) before reading the results. */
  now: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Each connection's status from its last check: a refused credential fails as a credential (exit
 * 4), an unhealthy one fails, a degraded or never-checked one warns. Disabled ones are skipped.
 */
export async function checkConnectionHealth(ctx: ServiceContext, input: ConnectionsCheckInput): Promise<DoctorCheck> {
  if (input.now) {
    // undici loads only when requests are sent (start-up time).
    const { checkConnections } = await import("../connections/check.js");
    await checkConnections(ctx, { filter: {}, timeoutMs: input.timeoutMs, concurrency: 64, signal: input.signal });
  }
  const rows = await connectionsNotHealthy(typed(ctx.sql));
  const label = (r: (typeof rows)[number]) => `${r.id} (${r.slug}/${r.name})`;
  const of = (status: IntegrationConnectionStatus) => rows.filter((r) => r.status === status);
  const refused = of(CREDENTIALS_INVALID);
  const unhealthy = of(UNHEALTHY);
  const never = of(PENDING);
  const said = (list: typeof rows, what: string) =>
    list.length ? [`${plural(list.length, "connection")} ${what}: ${few(list.map(label))}`] : [];
  const parts = [
    ...said(refused, "refused their credential"),
    ...said(unhealthy, "unhealthy"),
    ...said(of(DEGRADED), "degraded"),
    ...said(never, "never checked"),
  ];
  const reason = `${parts.join("; ")}${input.now ? "" : " (at their last check)"}`;
  if (refused.length > 0) {
    const fix =
      refused.length === 1
        ? `connections set-credentials ${refused[0]!.id}`
        : "connections list --status credentials_invalid";
    return fail("connections", reason, fix, true);
  }
  if (unhealthy.length > 0) {
    const fix = unhealthy.length === 1 ? `connections check ${unhealthy[0]!.id}` : "connections check --all";
    return fail("connections", reason, fix);
  }
  if (parts.length > 0) return warn("connections", reason, never.length > 0 ? "connections check --all" : null);
  return pass(
    "connections",
    input.now ? "every connection checked now is healthy" : "no connection was unhealthy at its last check",
  );
}
