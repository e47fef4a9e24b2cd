import { CredentialError, IntgError, NotFoundError } from "../../errors.js";
import { IntegrationConnectionStatus } from "../../db/generated/kysely/enums.js";
import { typed } from "../../db/kysely.js";
import { recordCheck } from "../../db/queries/integration-connection.js";
import { insertHealthCheck } from "../../db/queries/integration-health-check.js";
import { newId } from "../../lib/ids.js";
import type { IntegrationHealthCheck } from "../../types/integration/integration.types.js";
import type { ServiceContext } from "../context.js";
import { findConnectionRows, type ConnectionFilter, type ConnectionRow } from "./rows.js";
import { ConnectionClient } from "./client.js";
import { recordEvent } from "./events.js";
import { TokenEndpointError } from "./oauth.js";

// `connections check`: each connection's provider health request, with its credential, in
// parallel over keep-alive pools. Each result becomes an IntegrationHealthCheck row and the
// connection's status, all written in one transaction after the requests.

export interface CheckOptions {
  filter: ConnectionFilter;
  timeoutMs: number;
  concurrency: number;
  /** After each check finishes (a progress bar). */
  onProgress?: (progress: { done: number; total: number }) => void;
  /** Ctrl-C: checks in flight are abandoned and nothing is recorded (a half-run gate proves nothing). */
  signal?: AbortSignal;
}

export interface CheckRun {
  checks: IntegrationHealthCheck[];
  /** For people reading the table: each checked connection's provider slug and name. */
  labels: Record<string, { provider: string; name: string }>;
  /** Matched but not checked: disabled, or their provider is (nothing recorded for them). */
  skipped: SkippedConnection[];
}

export interface SkippedConnection {
  id: string;
  reason: "connection_disabled" | "provider_disabled";
}

const { CREDENTIALS_INVALID, DEGRADED, DISABLED, HEALTHY, UNHEALTHY } = IntegrationConnectionStatus;

type Outcome = Pick<IntegrationHealthCheck, "status" | "latencyMs" | "httpStatus" | "errorKind" | "errorMessage">;

export async function checkConnections(
  ctx: ServiceContext,
  options: CheckOptions,
  client = new ConnectionClient(ctx, options.signal),
): Promise<CheckRun> {
  const rows = await findConnectionRows(ctx.sql, options.filter);
  const missing = (options.filter.ids ?? []).filter((id) => !rows.some((r) => r.id === id));
  if (missing.length)
    throw new NotFoundError(
      `There is no connection ${missing.map((m) => `"${m}"`).join(", ")}.`,
      "See the connections with: intg connections list",
      "CONNECTION_NOT_FOUND",
    );
  // Neither a disabled connection nor one to a disabled provider is checked: both are off on purpose.
  const off = (r: ConnectionRow) => r.status === DISABLED || r.provider.status === DISABLED;
  const active = rows.filter((r) => !off(r));
  // A missing master key is this machine's problem, not the connections': fail before checking any.
  if (active.some((r) => r.credentialSecretId)) await client.ring();
  const outcomes: Outcome[] = new Array(active.length);
  let next = 0;
  let done = 0;
  const lane = async () => {
    for (let i = next++; i < active.length && !options.signal?.aborted; i = next++) {
      outcomes[i] = await checkOne(client, active[i]!, options.timeoutMs);
      options.onProgress?.({ done: ++done, total: active.length });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, active.length) }, lane));
  } finally {
    await client.close();
  }
  if (options.signal?.aborted)
    throw new IntgError(
      "INTERRUPTED",
      `Interrupted after ${done} of ${active.length} checks; none was recorded.`,
      "interrupted",
    );
  const now = ctx.now();
  const checks = active.map(
    (row, i): IntegrationHealthCheck => ({
      id: newId("healthCheck", now),
      connectionId: row.id,
      ...outcomes[i]!,
      checkedAt: now.toISOString(),
    }),
  );
  await ctx.sql.transaction(async (tx) => {
    const db = typed(tx);
    for (const [i, c] of checks.entries()) {
      await insertHealthCheck(db, { ...c, checkedAt: now });
      await recordCheck(db, active[i]!.id, c.status, now);
      const previous = active[i]!.status;
      if (previous !== c.status)
        await recordEvent(tx, now, {
          connectionId: c.connectionId,
          kind: "status_changed",
          previousStatus: previous,
          status: c.status,
          message: c.errorMessage,
        });
    }
  });
  const labels = Object.fromEntries(active.map((r) => [r.id, { provider: r.provider.slug, name: r.name }]));
  const skipped = rows.filter(off).map(
    (r): SkippedConnection => ({
      id: r.id,
      reason: r.status === DISABLED ? "connection_disabled" : "provider_disabled",
    }),
  );
  return { checks, labels, skipped };
}

async function checkOne(client: ConnectionClient, row: ConnectionRow, timeoutMs: number): Promise<Outcome> {
  const provider = row.provider;
  const expected = provider.healthCheckExpectedStatus;
  try {
    const p = await client.prepare(row, timeoutMs);
    const res = await client.send(p, provider.healthCheckMethod, provider.healthCheckPath, {});
    if (res.statusCode === null)
      return {
        status: UNHEALTHY,
        latencyMs: res.latencyMs,
        httpStatus: null,
        errorKind: res.errorKind,
        errorMessage: res.error,
      };
    const base = { latencyMs: res.latencyMs, httpStatus: res.statusCode };
    if (res.statusCode === expected) return { ...base, status: HEALTHY, errorKind: null, errorMessage: null };
    if (res.statusCode === 401 || res.statusCode === 403)
      return {
        ...base,
        status: CREDENTIALS_INVALID,
        errorKind: "auth",
        errorMessage: `the provider refused the credential (${res.statusCode})`,
      };
    // Reachable and authenticated, but throttled: degraded rather than down.
    const status: IntegrationConnectionStatus = res.statusCode === 429 ? DEGRADED : UNHEALTHY;
    return {
      ...base,
      status,
      errorKind: "unexpected_status",
      errorMessage: `expected ${expected}, got ${res.statusCode}`,
    };
  } catch (error) {
    if (error instanceof CredentialError)
      return {
        status: CREDENTIALS_INVALID,
        latencyMs: null,
        httpStatus: null,
        errorKind: "auth",
        errorMessage: error.message,
      };
    if (error instanceof TokenEndpointError)
      return {
        status: UNHEALTHY,
        latencyMs: null,
        httpStatus: null,
        errorKind: error.reason,
        errorMessage: error.message,
      };
    if (error instanceof IntgError)
      return {
        status: UNHEALTHY,
        latencyMs: null,
        httpStatus: null,
        errorKind: "network",
        errorMessage: error.message,
      };
    throw error;
  }
}
