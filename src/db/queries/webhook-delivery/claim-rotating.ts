import { sql } from "kysely";
import { DeliveryStatus } from "../../generated/kysely/enums.js";
import type { Db } from "../../kysely.js";
import { type Compiled, compileFor } from "../../prepared.js";
import type { Provider } from "../../url.js";
import { CLAIMED_COLUMNS, type ClaimedDelivery } from "./claim.js";

// The claim of due deliveries that takes turns between endpoints: every enabled endpoint without a
// rate limit offers its oldest due deliveries, and the claim takes each endpoint's first, then each
// one's second, and so on, up to the limit. An endpoint with 100,000 queued gets one turn like any
// other, so another endpoint's first delivery is claimed with the next claim, not after the backlog.
// An endpoint offers no more than its room: of each endpoint, a worker holds (queued, in flight, or
// sent and not yet recorded) at most `factor` times its in-flight cap, so a slow endpoint's backlog
// stays in the database, where another worker can take it, instead of filling this worker's queue
// behind its cap.

export type RotatingValues = {
  owner: string;
  lease: Date;
  now: Date;
  /** Deliveries in all. */
  limit: number;
  /** Of one endpoint, the owner may hold its maxInFlight times this many. */
  factor: number;
};

const statements = new Map<Provider, Compiled<ClaimedDelivery, keyof RotatingValues>>();

/**
 * Leases due deliveries to `owner`, endpoints taking turns. One statement: on SQLite it holds the
 * write lock; on PostgreSQL each endpoint's candidates are taken FOR UPDATE SKIP LOCKED (LATERAL),
 * so concurrent workers skip each other's rows and neither waits nor double-claims. Each endpoint's
 * candidates come in order from the (endpointId, status, nextAttemptAt) index, no more than its room.
 */
export async function claimRotating(db: Db, provider: Provider, values: RotatingValues): Promise<ClaimedDelivery[]> {
  let statement = statements.get(provider);
  if (!statement) statements.set(provider, (statement = prepare(provider)));
  return (await statement.run(db, values)).rows;
}

function prepare(provider: Provider): Compiled<ClaimedDelivery, keyof RotatingValues> {
  const pg = provider === "postgresql";
  // SQLite picks rows by rowid: by "id" each would be found through its text index first.
  const key = pg ? "id" : "rowid";
  const names = ["owner", "lease", "now", "limit", "factor"] as const;
  // The subqueries are correlated with the endpoint of the outer query.
  const endpointId = sql.ref<string>("e.id");
  return compileFor(provider, names, (k, p) => {
    // Each endpoint's room (how many more of its deliveries the owner may hold), counted once per
    // endpoint in a materialised CTE: counted per candidate row, it cost ten times the claim.
    const holding = k
      .selectFrom("WebhookDelivery as h")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("h.endpointId", "=", endpointId)
      .where("h.status", "=", DeliveryStatus.SENDING)
      .where("h.leaseOwner", "=", p.owner);
    const rooms = k
      .selectFrom("WebhookEndpoint as e")
      .select(["e.id", sql<number>`${sql.ref("e.maxInFlight")} * ${p.factor} - (${holding})`.as("room")])
      .where("e.enabled", "=", true)
      .where("e.rateLimitPerSecond", "is", null);
    const candidates = k
      .selectFrom("WebhookDelivery as x")
      .where("x.endpointId", "=", endpointId)
      .where("x.status", "=", DeliveryStatus.PENDING)
      .where("x.nextAttemptAt", "<=", p.now)
      .orderBy("x.nextAttemptAt");
    const endpoints = k
      .selectFrom(sql<{ id: string; room: number }>`${sql.table("ep")}`.as("e"))
      .where("e.room", ">", 0);
    // PostgreSQL: a LATERAL join locks each endpoint's candidates, no more than its room. SQLite has
    // no LATERAL, and its LIMIT cannot read the outer row: a CROSS JOIN keeps the endpoints as the
    // outer loop (its planner never reorders one), each endpoint's candidates are a correlated list
    // of rowids up to the claim's limit, and the turns past the endpoint's room are dropped below.
    const offered = pg
      ? endpoints
          .crossJoinLateral(
            candidates
              .select(["x.id as key", "x.endpointId", "x.nextAttemptAt"])
              .limit(sql<number>`least(${p.limit}, ${sql.ref("e.room")})`)
              .forUpdate()
              .skipLocked()
              .as("d"),
          )
          .select(["d.key", "d.endpointId", "d.nextAttemptAt"])
      : endpoints
          .crossJoin("WebhookDelivery as d")
          .where(sql.ref("d.rowid"), "in", candidates.select(sql.ref<number>("x.rowid").as("rowid")).limit(p.limit))
          .select([sql.ref<string>("d.rowid").as("key"), "d.endpointId", "d.nextAttemptAt"]);
    const ranked = k
      .selectFrom(
        offered
          .select((eb) => [
            "e.room",
            eb.fn
              .agg<number>("row_number")
              .over((o) => o.partitionBy("d.endpointId").orderBy("d.nextAttemptAt"))
              .as("turn"),
          ])
          .as("r"),
      )
      .select(sql.ref<string>("r.key").as("key"))
      .where(sql.ref("r.turn"), "<=", sql.ref("r.room"))
      .orderBy(sql.ref("r.turn"))
      .orderBy(sql.ref("r.nextAttemptAt"))
      .limit(p.limit);
    return k
      .with(
        (w) => w("ep").materialized(),
        () => rooms,
      )
      .updateTable("WebhookDelivery")
      .set({ status: DeliveryStatus.SENDING, leaseOwner: p.owner, leaseExpiresAt: p.lease, updatedAt: p.now })
      .where(sql.ref(key), "in", ranked)
      .returning(CLAIMED_COLUMNS);
  });
}
