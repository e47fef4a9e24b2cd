import { NotFoundError } from "../../../errors.js";
import { DeliveryStatus } from "../../../db/generated/kysely/enums.js";
import { type Db, typed } from "../../../db/kysely.js";
import { replayCandidateRows } from "../../../db/queries/webhook-delivery/select.js";
import { endpointRoutes } from "../../../db/queries/webhook-endpoint.js";
import { eventExists } from "../../../db/queries/webhook-event.js";
import { nodeCrypto } from "../../../lib/lazy-builtins.js";
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

export interface ReplayPlan extends WebhookReplayPlan {
  /** Pairs left out because their endpoint is disabled (enable it to replay them). */
  skippedDisabled: number;
  /** Pairs left out because a worker is sending them right now. */
  skippedInFlight: number;
}

export async function planReplay(ctx: Pick<ServiceContext, "sql">, request: WebhookReplayRequest): Promise<ReplayPlan> {
  const candidates = await select(typed(ctx.sql), request);
  const plan: ReplayPlan = { planHash: "", pairs: [], skippedDelivered: 0, skippedDisabled: 0, skippedInFlight: 0 };
  const state: string[] = [];
  for (const c of candidates) {
    if (!c.enabled) plan.skippedDisabled++;
    else if (c.status === DeliveryStatus.SENDING) plan.skippedInFlight++;
    else if (c.status === DeliveryStatus.DELIVERED && !request.includeDelivered) plan.skippedDelivered++;
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

async function select(db: Db, request: WebhookReplayRequest): Promise<Candidate[]> {
  const s = request.selector;
  let rows: Candidate[];
  if (s.kind === "delivery") {
    rows = await replayCandidateRows(db, { id: s.deliveryId });
    if (rows.length === 0)
      throw new NotFoundError(
        `No webhook delivery ${s.deliveryId}.`,
        "List them with: intg webhooks deliveries list",
        "DELIVERY_NOT_FOUND",
      );
    return rows; // one delivery is its own routing
  }
  if (s.kind === "event") {
    if (!(await eventExists(db, s.eventId))) {
      const hint = "Events are listed with their deliveries: intg webhooks deliveries list";
      throw new NotFoundError(`No webhook event ${s.eventId}.`, hint, "EVENT_NOT_FOUND");
    }
    rows = await replayCandidateRows(db, { eventId: s.eventId });
  } else {
    const { since, until } = s.window;
    const window = { status: s.status, since: new Date(since), until: new Date(until), endpointId: s.endpointId };
    // An empty status list selects nothing (to the query, no list means any status).
    const found = s.status.length === 0 ? [] : await replayCandidateRows(db, window);
    rows = found.filter((r) => s.typePattern === null || matchesFilter([s.typePattern], r.type));
  }
  if (request.routing === "original") return rows;
  return currentRouting(db, rows, s.kind === "filter" ? s.endpointId : null);
}

/** The selected events, each sent to the endpoints whose filter matches it now. */
async function currentRouting(db: Db, selected: Candidate[], onlyEndpoint: string | null): Promise<Candidate[]> {
  const endpoints = (await endpointRoutes(db))
    .filter((e) => onlyEndpoint === null || e.id === onlyEndpoint)
    .map((e) => ({ id: e.id, filter: (e.eventFilter ?? []) as string[], enabled: e.enabled }));
  const events = new Map<string, string>();
  for (const c of selected) events.set(c.eventId, c.type);
  // Every delivery of the selected events, in a few queries rather than one per event.
  const ids = [...events.keys()].sort();
  const existing = new Map<string, Candidate>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const found = await replayCandidateRows(db, { eventIds: chunk });
    for (const c of found) existing.set(`${c.eventId}\u0000${c.endpointId}`, c);
  }
  const out: Candidate[] = [];
  for (const eventId of ids) {
    const type = events.get(eventId)!;
    for (const e of endpoints) {
      if (!matchesFilter(e.filter, type)) continue;
      const found = existing.get(`${eventId}\u0000${e.id}`);
      const { PENDING } = DeliveryStatus;
      out.push(
        found ?? { id: "", eventId, endpointId: e.id, status: PENDING, attemptCount: 0, type, enabled: e.enabled },
      );
    }
  }
  return out;
}
