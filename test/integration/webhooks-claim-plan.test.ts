import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlClient } from "../../src/db/sql.js";
import { sendBatch } from "../../src/services/webhooks/send.js";
import { claimDue } from "../../src/services/webhooks/worker/claim.js";
import { PG_BASE_URL } from "../helpers/databases.js";
import { webhookBed, type WebhookBed } from "../helpers/webhook-bed.js";

// The worker's claim on a young PostgreSQL queue (no statistics yet, as after a burst of sends):
// its planner read every due delivery through the endpoint index and sorted them all on each
// claim, a cost that grows with the backlog. The claim must walk the (status, time) index in order
// and stop at its limit.

/** The client with each claim statement (an UPDATE) explained instead of run; plans go to `plans`. */
function explaining(client: SqlClient, plans: string[]): SqlClient {
  return {
    ...client,
    query: async (text, params, first) => {
      if (!/^(update|with) /i.test(text)) return client.query(text, params, first);
      const r = await client.query(`EXPLAIN (FORMAT JSON) ${text}`, params);
      plans.push(JSON.stringify(r.rows[0]));
      return { rows: [], changes: 0 };
    },
    transaction: (fn) => client.transaction((tx) => fn(explaining(tx, plans))),
  };
}

type PlanNode = { "Node Type": string; "Relation Name"?: string; Plans?: PlanNode[] };

/** Sort nodes that read WebhookDelivery's rows with no Limit in between: sorts of the backlog. */
function backlogSorts(node: PlanNode, sorting = false): string[] {
  if (node["Node Type"] === "Limit") sorting = false;
  if (sorting && node["Relation Name"] === "WebhookDelivery") return [node["Node Type"]];
  const below = sorting || node["Node Type"] === "Sort";
  return (node.Plans ?? []).flatMap((child) => backlogSorts(child, below));
}

describe.runIf(PG_BASE_URL)("the worker's claim on PostgreSQL", () => {
  let bed: WebhookBed;
  beforeAll(async () => {
    bed = await webhookBed("postgresql");
    await bed.endpoint(undefined);
    await sendBatch(bed.ctx, {
      events: Array.from({ length: 500 }, (_, i) => ({ line: i + 1, type: "a.b", data: { i }, idempotencyKey: null })),
      allowUnknownType: true,
    });
  });
  afterAll(() => bed.dispose());

  it("takes the oldest due deliveries by walking an index in order, with no sort of the backlog", async () => {
    const plans: string[] = [];
    await claimDue(explaining(bed.ctx.sql, plans), "w1", bed.ctx.now(), 60_000, 5);
    expect(plans).toHaveLength(2); // expired leases, then due deliveries
    expect(plans[0]).not.toContain('"Node Type":"Sort"');
    // Due deliveries: endpoints take turns (claim-rotating.ts), so the claim sorts each endpoint's
    // candidates into turns; those come from the endpoint's index range, in order, cut at the limit.
    expect(plans[1]).toContain('"Index Name":"WebhookDelivery_endpointId_status_nextAttemptAt_idx"');
    expect(backlogSorts(JSON.parse(plans[1] as string)["QUERY PLAN"][0].Plan)).toEqual([]);
  });

  it("counts what it holds of an endpoint with a plain index scan, which marks the dead entries it meets", async () => {
    // Claimed and recorded deliveries leave the endpoint index an entry per dead row version; with
    // statistics that show it, the planner counted through a bitmap scan, which reads them all again.
    const { sql } = bed.ctx;
    // 20,000 more deliveries of the endpoint, a tenth of them held by another worker when the
    // statistics were taken.
    const [first] = await sql.all<{ endpointId: string }>(`SELECT "endpointId" FROM "WebhookDelivery" LIMIT 1`);
    await sql.run(`INSERT INTO "WebhookEvent" ("id", "type", "payload", "timestamp")
      SELECT 'evt_plan' || g, 'a.b', '{}', now() FROM generate_series(1, 20000) g`);
    await sql.run(
      `INSERT INTO "WebhookDelivery" ("id", "eventId", "endpointId", "status", "leaseOwner", "updatedAt")
      SELECT 'dlv_plan' || g, 'evt_plan' || g, $1, CASE WHEN g % 10 = 0 THEN 'SENDING' ELSE 'DELIVERED' END::"DeliveryStatus",
        CASE WHEN g % 10 = 0 THEN 'w0' END, now() FROM generate_series(1, 20000) g`,
      [first!.endpointId],
    );
    await sql.run(`ANALYZE "WebhookDelivery"`);
    const plans: string[] = [];
    await claimDue(explaining(sql, plans), "w1", bed.ctx.now(), 60_000, 5);
    expect(plans[1]).toContain('"Node Type":"Aggregate"'); // the count is there
    expect(plans[1]).not.toContain("Bitmap");
  });
});
