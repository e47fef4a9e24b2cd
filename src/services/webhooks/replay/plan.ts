import { NotFoundError } from "../../../errors.js";
import { col, type SqlClient } from "../../../db/sql.js";
import { nodeCrypto } from "../../../lib/lazy-builtins.js";
import type { DeliveryStatus } from "../../../types/enums.js";
import type { WebhookReplayPlan, WebhookReplayRequest } from "../../../types/integration/webhook.types.js";
import type { ServiceContext } from "../../context.js";
import { matchesFilter } from "../endpoint-input.js";

// What a replay will send: (event, endpoint) pairs, each with the delivery it re-sends (or none,
// when routing "current" reaches an endpoint the event never went to). The plan hash covers the
// pairs and the state of each delivery, so `--plan-hash` from a dry run refuses to apply once
// anything it would touch has changed (a retry went out, a replay already ran).

interface Candidate {
  id: string;
  eventId: string;
  endpointId: string;
  status: DeliveryStatus;
  attemptCount: number;
  type: string;
  enabled: boolean;
}

const CANDIDATE = `SELECT d."id", d."eventId", d."endpointId", d."status", d."attemptCount", ev."type", e."enabled"
  FROM "WebhookDelivery" d JOIN "WebhookEvent" ev ON ev."id" = d."eventId" JOIN "WebhookEndpoint" e ON e."id" = d."endpointId"`;

export interface ReplayPlan extends WebhookReplayPlan {
  /** Pairs left out because their endpoint is disabled (enable it to replay them). */
  skippedDisabled: number;
  /** Pairs left out because a worker is sending them right now. */
  skippedInFlight: number;
}

export async function planReplay(ctx: Pick<ServiceContext, "sql">, request: WebhookReplayRequest): Promise<ReplayPlan> {
  const candidates = await select(ctx.sql, request);
  const plan: ReplayPlan = { planHash: "", pairs: [], skippedDelivered: 0, skippedDisabled: 0, skippedInFlight: 0 };
  const state: string[] = [];
  for (const c of candidates) {
    if (!c.enabled) plan.skippedDisabled++;
    else if (c.status === "SENDING") plan.skippedInFlight++;
    else if (c.status === "DELIVERED" && !request.includeDelivered) plan.skippedDelivered++;
    else {
      plan.pairs.push({ eventId: c.eventId, endpointId: c.endpointId, deliveryId: c.id || null });
      state.push(`${c.eventId}:${c.endpointId}:${c.id}:${c.status}:${c.attemptCount}`);
    }
  }
  plan.planHash = nodeCrypto()
    .hash("sha256", `intg-replay-v1\n${request.routing}\n${state.join("\n")}`, "hex")
    .slice(0, 32);
  return plan;
}

async function select(sql: SqlClient, request: WebhookReplayRequest): Promise<Candidate[]> {
  const s = request.selector;
  let rows: Candidate[];
  if (s.kind === "delivery") {
    rows = await candidates(sql, `d."id" = ?`, [s.deliveryId]);
    if (rows.length === 0)
      throw new NotFoundError(
        `No webhook delivery ${s.deliveryId}.`,
        "List them with: intg webhooks deliveries list",
        "DELIVERY_NOT_FOUND",
      );
    return rows; // one delivery is its own routing
  }
  if (s.kind === "event") {
    const event = await sql.get<{ id: string }>(`SELECT "id" FROM "WebhookEvent" WHERE "id" = ?`, [s.eventId]);
    if (!event)
      throw new NotFoundError(
        `No webhook event ${s.eventId}.`,
        "Events are listed with their deliveries: intg webhooks deliveries list",
        "EVENT_NOT_FOUND",
      );
    rows = await candidates(sql, `d."eventId" = ?`, [s.eventId]);
  } else {
    const where = [`d."status" IN (${s.status.map(() => "?").join(",")})`, `d."createdAt" >= ?`, `d."createdAt" < ?`];
    const params: unknown[] = [...s.status, new Date(s.window.since), new Date(s.window.until)];
    if (s.endpointId) where.push(`d."endpointId" = ?`), params.push(s.endpointId);
    rows = (await candidates(sql, where.join(" AND "), params)).filter(
      (r) => s.typePattern === null || matchesFilter([s.typePattern], r.type),
    );
  }
  if (request.routing === "original") return rows;
  return currentRouting(sql, rows, s.kind === "filter" ? s.endpointId : null);
}

async function candidates(sql: SqlClient, where: string, params: unknown[]): Promise<Candidate[]> {
  const rows = await sql.all<Record<string, unknown>>(
    `${CANDIDATE} WHERE ${where} ORDER BY d."eventId", d."endpointId"`,
    params,
  );
  return rows.map((r) => ({
    id: String(r.id),
    eventId: String(r.eventId),
    endpointId: String(r.endpointId),
    status: r.status as DeliveryStatus,
    attemptCount: col.int(r.attemptCount),
    type: String(r.type),
    enabled: col.bool(r.enabled),
  }));
}

/** The selected events, each sent to the endpoints whose filter matches it now. */
async function currentRouting(
  sql: SqlClient,
  selected: Candidate[],
  onlyEndpoint: string | null,
): Promise<Candidate[]> {
  const endpoints = (
    await sql.all<{ id: string; eventFilter: unknown; enabled: unknown }>(
      `SELECT "id", "eventFilter", "enabled" FROM "WebhookEndpoint" ORDER BY "id"`,
    )
  )
    .filter((e) => onlyEndpoint === null || e.id === onlyEndpoint)
    .map((e) => ({ id: e.id, filter: col.json<string[] | null>(e.eventFilter) ?? [], enabled: col.bool(e.enabled) }));
  const events = new Map<string, string>();
  for (const c of selected) events.set(c.eventId, c.type);
  // Every delivery of the selected events, in a few queries rather than one per event.
  const ids = [...events.keys()].sort();
  const existing = new Map<string, Candidate>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    for (const c of await candidates(sql, `d."eventId" IN (${chunk.map(() => "?").join(",")})`, chunk))
      existing.set(`${c.eventId}\u0000${c.endpointId}`, c);
  }
  const out: Candidate[] = [];
  for (const eventId of ids) {
    const type = events.get(eventId)!;
    for (const e of endpoints) {
      if (!matchesFilter(e.filter, type)) continue;
      out.push(
        existing.get(`${eventId}\u0000${e.id}`) ?? {
          id: "",
          eventId,
          endpointId: e.id,
          status: "PENDING",
          attemptCount: 0,
          type,
          enabled: e.enabled,
        },
      );
    }
  }
  return out;
}
