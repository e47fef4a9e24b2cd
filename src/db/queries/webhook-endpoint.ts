import type { Selectable } from "kysely";
import type { WebhookEndpoint } from "../generated/kysely/types.js";
import { type Db, type Prepared, prepare } from "../kysely.js";
import type { Provider } from "../url.js";

// Every statement on "WebhookEndpoint": where deliveries go, how they are signed, and its health.

// ─── the worker, deliveries, export and replay ───

type HealthStatements = {
  succeeded: Prepared<unknown, "id" | "now">;
  failing: Prepared<unknown, "id" | "now">;
  stale: Prepared<{ failingSince: Date | null }, "id" | "cutoff">;
};
const healthStatements = new Map<Provider, HealthStatements>();

// The worker records each batch's effect on its endpoints: compiled once per provider.
function health(provider: Provider): HealthStatements {
  let s = healthStatements.get(provider);
  if (!s) {
    s = {
      succeeded: prepare(provider, ["id", "now"], (k, p) =>
        k.updateTable("WebhookEndpoint").set({ lastSuccessAt: p.now, failingSince: null }).where("id", "=", p.id),
      ),
      failing: prepare(provider, ["id", "now"], (k, p) =>
        k
          .updateTable("WebhookEndpoint")
          .set((eb) => ({ failingSince: eb.fn.coalesce("failingSince", eb.val(p.now)) }))
          .where("id", "=", p.id),
      ),
      stale: prepare(provider, ["id", "cutoff"], (k, p) =>
        k
          .selectFrom("WebhookEndpoint")
          .select("failingSince")
          .where("id", "=", p.id)
          .where("enabled", "=", true)
          .where("failingSince", "<=", p.cutoff),
      ),
    };
    healthStatements.set(provider, s);
  }
  return s;
}

/** A delivery to the endpoint succeeded: it is failing no more. */
export async function markEndpointSucceeded(db: Db, provider: Provider, id: string, now: Date): Promise<void> {
  await health(provider).succeeded.run(db, { id, now });
}

/** An attempt failed, and none to it succeeded in the batch: failing since now, unless it already was. */
export async function markEndpointFailing(db: Db, provider: Provider, id: string, now: Date): Promise<void> {
  await health(provider).failing.run(db, { id, now });
}

/** When an enabled endpoint began failing, if that is at or before `cutoff`. */
export async function endpointFailingSince(
  db: Db,
  provider: Provider,
  id: string,
  cutoff: Date,
): Promise<Date | undefined> {
  return (await health(provider).stale.run(db, { id, cutoff })).rows[0]?.failingSince ?? undefined;
}

/** Disables an enabled endpoint with a reason; false when it was not enabled (or is gone). */
export async function disableEnabledEndpoint(db: Db, id: string, reason: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable("WebhookEndpoint")
    .set({ enabled: false, disabledAt: now, disabledReason: reason, updatedAt: now })
    .where("id", "=", id)
    .where("enabled", "=", true)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

type EndpointRowOf = Selectable<WebhookEndpoint>;

/** Every endpoint's routing: its event filter, and whether it is enabled. */
export function endpointRoutes(db: Db): Promise<Pick<EndpointRowOf, "id" | "eventFilter" | "enabled">[]> {
  return db.selectFrom("WebhookEndpoint").select(["id", "eventFilter", "enabled"]).orderBy("id").execute();
}
