import { randomBytes } from "node:crypto";
import { typed } from "../../../db/kysely.js";
import { stalledDeliveries } from "../../../db/queries/webhook-delivery/backlog.js";
import { attemptsSince } from "../../../db/queries/webhook-delivery-attempt.js";
import { newId } from "../../../lib/ids.js";
import { formatDuration } from "../../../lib/duration.js";
import { percentiles } from "../../../lib/percentiles.js";
import { privateNetworksAllowed } from "../../../lib/url-guard.js";
import { signatureHeaders } from "../../../lib/webhook-signing.js";
import type {
  WebhookEndpointInfo,
  WebhookHealthCheckResult,
  WebhookHealthViolation,
} from "../../../types/integration/webhook.types.js";
import type { ServiceContext } from "../../context.js";
import { databaseClock } from "../database-clock.js";
import { listEndpoints, showEndpoint } from "../endpoint-rows.js";
import { backlogOf, failureRateOf } from "../endpoint-stats.js";
import { signingSecrets } from "../endpoint-secret.js";
import { endpointHeaders } from "../endpoint-headers.js";
import { envelope } from "../send.js";
import { HttpClient } from "../worker/http.js";
import { isSuccess } from "../worker/schedule.js";

// `webhooks health`, the CI gate: each endpoint's recent attempts against thresholds, and with
// `ping` a signed `webhook.ping` sent now (not recorded as a delivery: it probes, it delivers
// nothing). A disabled endpoint always fails the gate.

export interface HealthThresholds {
  /** 0..1 */
  maxFailureRate: number;
  maxP95Ms: number;
  maxBacklogAgeMs: number;
}

export interface HealthInput extends HealthThresholds {
  endpointId: string | null;
  since: Date;
  ping: boolean;
}

export async function checkHealth(ctx: ServiceContext, input: HealthInput): Promise<WebhookHealthCheckResult[]> {
  const endpoints = input.endpointId ? [await showEndpoint(ctx, input.endpointId)] : await listEndpoints(ctx);
  const now = ctx.now();
  // Leases are on the database's clock (database-clock.ts): this machine's, minutes fast, would
  // report a live worker's deliveries as stalled and fail a CI gate.
  const clock = databaseClock(ctx);
  await clock.measure();
  const leaseNow = clock.now();
  const http = input.ping ? new HttpClient() : null;
  try {
    return await Promise.all(
      endpoints.map(async (ep) => {
        const attempts = await attemptsSince(typed(ctx.sql), ep.id, input.since);
        const failures = attempts.filter((a) => !a.succeeded).length;
        const failureRate = failureRateOf(attempts.length, failures);
        const latencyMs = percentiles(attempts.map((a) => a.durationMs));
        const backlog = await backlogOf(ctx.sql, ep.id, now);
        const ping = http && ep.enabled ? await sendPing(ctx, http, ep, now) : null;
        const violations: WebhookHealthViolation[] = [];
        if (!ep.enabled)
          violations.push({
            threshold: "disabled",
            actual: null,
            limit: null,
            message: `disabled${ep.disabledReason ? `: ${ep.disabledReason}` : ""}`,
          });
        if (failureRate !== null && failureRate > input.maxFailureRate)
          violations.push({
            threshold: "max_failure_rate",
            actual: failureRate,
            limit: input.maxFailureRate,
            message: `${pct(failureRate)} of ${attempts.length} attempts failed (limit ${pct(input.maxFailureRate)})`,
          });
        if (latencyMs.p95 !== null && latencyMs.p95 > input.maxP95Ms)
          violations.push({
            threshold: "max_p95",
            actual: latencyMs.p95,
            limit: input.maxP95Ms,
            message: `p95 latency ${latencyMs.p95} ms (limit ${input.maxP95Ms} ms)`,
          });
        if (backlog.oldestAgeMs !== null && backlog.oldestAgeMs > input.maxBacklogAgeMs)
          violations.push({
            threshold: "max_backlog_age",
            actual: backlog.oldestAgeMs,
            limit: input.maxBacklogAgeMs,
            message: `${backlog.size} undelivered, the oldest for ${Math.round(backlog.oldestAgeMs / 1000)} s (limit ${Math.round(input.maxBacklogAgeMs / 1000)} s)`,
          });
        const stalled = await stalledOf(ctx, ep.id, leaseNow);
        if (stalled.n > 0) {
          const message = stalledMessage(stalled, leaseNow, ep.enabled);
          violations.push({ threshold: "stalled_sending", actual: stalled.n, limit: 0, message });
        }
        if (ping && !ping.succeeded)
          violations.push({
            threshold: "ping",
            actual: null,
            limit: null,
            message: `ping failed: ${ping.error ?? `HTTP ${ping.statusCode}`}`,
          });
        return {
          endpointId: ep.id,
          url: ep.url,
          enabled: ep.enabled,
          healthy: violations.length === 0,
          window: { since: input.since.toISOString(), until: now.toISOString() },
          attempts: attempts.length,
          failureRate,
          latencyMs,
          backlog,
          ping,
          violations,
          checkedAt: now.toISOString(),
        };
      }),
    );
  } finally {
    await http?.close();
  }
}

/**
 * SENDING deliveries whose lease has run out: a worker died holding them. A running worker reclaims
 * them on an enabled endpoint; on a disabled one nothing ever would (disabling now cancels them, but
 * rows left before that stay), so they are reported either way rather than hidden in the backlog.
 */
type Stalled = { n: number; since: Date | null };

async function stalledOf(ctx: ServiceContext, endpointId: string, now: Date): Promise<Stalled> {
  return stalledDeliveries(typed(ctx.sql), endpointId, now);
}

function stalledMessage(s: Stalled, now: Date, enabled: boolean): string {
  const ms = s.since ? Math.max(0, now.getTime() - s.since.getTime()) : null;
  const age = ms === null ? "" : ` for ${formatDuration(ms - (ms % 1000))}`;
  const fix = enabled ? "a running worker reclaims them" : "re-enable and disable the endpoint to cancel them";
  const rows = `${s.n} deliver${s.n === 1 ? "y" : "ies"}`;
  return `${rows} SENDING under an expired lease${age} (a worker died holding them; ${fix})`;
}

const pct = (r: number) => `${(r * 100).toFixed(r < 0.1 ? 1 : 0)}%`;

async function sendPing(
  ctx: ServiceContext,
  http: HttpClient,
  ep: WebhookEndpointInfo,
  now: Date,
): Promise<NonNullable<WebhookHealthCheckResult["ping"]>> {
  const body = envelope("webhook.ping", now, { endpointId: ep.id, nonce: randomBytes(8).toString("hex") });
  const headers = {
    ...(await endpointHeaders(ctx, ep.id)),
    "content-type": "application/json",
    "user-agent": "intg-webhooks/1",
    ...signatureHeaders(await signingSecrets(ctx, ep.id), newId("event", now), Math.floor(now.getTime() / 1000), body),
  };
  const r = await http.post(
    new URL(ep.url),
    headers,
    body,
    ep.timeoutMs,
    privateNetworksAllowed(ctx.env, ep.allowPrivateNetwork),
  );
  return { statusCode: r.statusCode, latencyMs: r.durationMs, error: r.error, succeeded: isSuccess(r.statusCode) };
}
