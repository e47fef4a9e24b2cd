import { typed } from "../../db/kysely.js";
import { backlogPerEndpoint, stalledPerEndpoint } from "../../db/queries/webhook-delivery/backlog.js";
import { endpointsDisabledOrFailing } from "../../db/queries/webhook-endpoint.js";
import { formatDuration } from "../../lib/duration.js";
import type { DoctorCheck } from "../../types/doctor.types.js";
import type { ServiceContext } from "../context.js";
import { fail, few, pass, plural, warn } from "./finding.js";
import { databaseClock } from "../webhooks/database-clock.js";

// What `webhooks health` gates on, for every endpoint at once: one grouped statement each, through
// the (status, …) and (leaseExpiresAt) indexes, not one per endpoint, so 100 endpoints with a
// million deliveries cost what one does.

/** A disabled endpoint receives nothing (a failure, as in `webhooks health`); a failing one is a warning. */
export async function checkEndpoints(ctx: ServiceContext): Promise<DoctorCheck> {
  const rows = await endpointsDisabledOrFailing(typed(ctx.sql));
  const disabled = rows.filter((r) => !r.enabled);
  const failing = rows.filter((r) => r.enabled && r.failingSince);
  const failingText = `${plural(failing.length, "endpoint")} failing: ${few(
    failing.map((r) => `${r.id} since ${r.failingSince!.toISOString()}`),
  )}`;
  if (disabled.length > 0) {
    const named = disabled.map((r) => (r.disabledReason ? `${r.id} (${r.disabledReason})` : r.id));
    const also = failing.length > 0 ? `; ${failingText}` : "";
    const fix = disabled.length === 1 ? `webhooks endpoints enable ${disabled[0]!.id}` : "webhooks endpoints list";
    return fail("webhook-endpoints", `${plural(disabled.length, "endpoint")} disabled: ${few(named)}${also}`, fix);
  }
  if (failing.length > 0) {
    const fix = failing.length === 1 ? `webhooks health --endpoint ${failing[0]!.id}` : "webhooks health";
    return warn("webhook-endpoints", `${failingText} (no success since a failed attempt)`, fix);
  }
  return pass("webhook-endpoints", "no endpoint is disabled or failing");
}

/** Deliveries waiting longer than the limit, or held under a dead worker's lease: nothing is sending them. */
export async function checkBacklog(ctx: ServiceContext, maxAgeMs: number): Promise<DoctorCheck> {
  const now = ctx.now();
  const db = typed(ctx.sql);
  // Leases are on the database's clock (webhooks/database-clock.ts), not this machine's.
  const clock = databaseClock(ctx);
  await clock.measure();
  const stalled = await stalledPerEndpoint(db, clock.now());
  const backlog = await backlogPerEndpoint(db);
  const limit = formatDuration(maxAgeMs);
  const stuck = stalled.reduce((sum, r) => sum + r.n, 0);
  if (stuck > 0) {
    const where = few(stalled.map((r) => r.endpointId));
    const rows = plural(stuck, "delivery", "deliveries");
    const reason = `${rows} SENDING under an expired lease (a worker died holding them) on ${where}`;
    return fail("webhook-backlog", reason, "webhooks worker");
  }
  const size = backlog.reduce((sum, r) => sum + r.n, 0);
  if (size === 0) return pass("webhook-backlog", "no delivery is waiting");
  const ageOf = (r: { oldest: Date | null }) => (r.oldest ? Math.max(0, now.getTime() - r.oldest.getTime()) : 0);
  const late = backlog.filter((r) => ageOf(r) > maxAgeMs).sort((a, b) => ageOf(b) - ageOf(a));
  const oldest = Math.max(...backlog.map(ageOf));
  const waiting = `${plural(size, "delivery", "deliveries")} waiting, the oldest for ${age(oldest)}`;
  if (late.length === 0) return pass("webhook-backlog", `${waiting} (limit ${limit})`);
  const where = few(late.map((r) => r.endpointId));
  return fail("webhook-backlog", `${waiting} (limit ${limit}); late on ${where}`, "webhooks worker");
}

// Whole seconds: "3m12s", not "3m12s481ms".
const age = (ms: number) => formatDuration(ms - (ms % 1000));
