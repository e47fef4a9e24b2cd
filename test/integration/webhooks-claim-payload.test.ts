import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { typed } from "../../src/db/kysely.js";
import { eventRowById } from "../../src/db/queries/webhook-event.js";
import type { SqlClient } from "../../src/db/sql.js";
import type { ServiceContext } from "../../src/services/context.js";
import { sendBatch } from "../../src/services/webhooks/send.js";
import { claimer, flattenClaims, unflattenClaims } from "../../src/services/webhooks/worker/claim.js";
import { PROVIDERS } from "../helpers/databases.js";
import { webhookBed, type WebhookBed } from "../helpers/webhook-bed.js";

// Fan-out: one event, many endpoints. The claim reads and ships the event's payload once, not once
// per delivery, from the database and again across the store thread's boundary.

/** Counts the values equal to `text` in every row the client (and its transactions) returns. */
function countReturned(sql: SqlClient, text: string): () => number {
  let n = 0;
  const wrap = (client: SqlClient) => {
    const query = client.query.bind(client);
    client.query = async (s, params, first) => {
      const r = await query(s, params, first);
      for (const row of r.rows) for (const v of Object.values(row)) if (v === text) n++;
      return r;
    };
    const transaction = client.transaction.bind(client);
    client.transaction = ((fn: (tx: SqlClient) => Promise<unknown>) =>
      transaction((tx) => (wrap(tx), fn(tx)))) as SqlClient["transaction"];
  };
  wrap(sql);
  return () => n;
}

describe.each(PROVIDERS)("a claim of one event's deliveries to several endpoints on %s", (provider) => {
  let bed: WebhookBed;
  let ctx: ServiceContext;
  beforeEach(async () => {
    bed = await webhookBed(provider);
    ({ ctx } = bed);
  });
  afterEach(() => bed.dispose());

  it("reads the event's payload once and hands the same string to every delivery", async () => {
    for (let i = 0; i < 3; i++) await bed.endpoint();
    const sent = await sendBatch(ctx, {
      events: [{ line: 1, type: "order.created", data: { n: 1 }, idempotencyKey: null }],
      allowUnknownType: true,
    });
    const event = sent.events[0]!.event!;
    const payload = (await eventRowById(typed(ctx.sql), event.id))!.payload;
    bed.t.advance(1_000);
    const returned = countReturned(ctx.sql, payload);
    const claim = await claimer(ctx.sql)("w1", ctx.now(), 60_000, 10);
    expect(claim.items).toHaveLength(3);
    expect(claim.items.every((c) => c.eventId === event.id && c.payload === payload)).toBe(true);
    expect(returned()).toBe(1);
    // Across the store thread: copied once, and each delivery gets it back.
    const flat = flattenClaims(claim);
    expect(flat.filter((v) => v === payload)).toHaveLength(1);
    expect(unflattenClaims(flat).items.map((c) => c.payload)).toEqual([payload, payload, payload]);
  });
});
