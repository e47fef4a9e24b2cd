import { Gauge, type Registry } from "prom-client";
import { typed } from "../../../db/kysely.js";
import { backlogPerEndpoint } from "../../../db/queries/webhook-delivery/backlog.js";
import type { ServiceContext } from "../../context.js";

// The backlog gauges of the worker's metrics: read on scrape, one grouped query for every endpoint,
// kept briefly so that several scrapers (an HA pair of Prometheus servers) cost one query.

const BACKLOG_CACHE_MS = 2000;

/** The backlog per endpoint and its oldest delivery's age, both from one cached grouped query. */
export function backlogGauges(ctx: ServiceContext, registers: Registry[]): void {
  let cached: { at: number; rows: ReturnType<typeof backlogPerEndpoint> } | undefined;
  const backlog = () => {
    const now = Date.now();
    if (!cached || now - cached.at >= BACKLOG_CACHE_MS) {
      const rows = backlogPerEndpoint(typed(ctx.sql)).catch((error) => {
        cached = undefined; // the next scrape asks again
        throw error;
      });
      cached = { at: now, rows };
    }
    return cached.rows;
  };
  const labelNames = ["endpoint"] as const;
  new Gauge({
    name: "intg_webhook_backlog_deliveries",
    help: "Deliveries waiting (pending or being sent), per endpoint with any; read from the database on scrape.",
    labelNames,
    registers,
    async collect() {
      const rows = await backlog();
      this.reset();
      for (const r of rows) this.set({ endpoint: r.endpointId }, r.n);
    },
  });
  new Gauge({
    name: "intg_webhook_backlog_oldest_age_seconds",
    help: "Age of the oldest waiting delivery, per endpoint with any; read from the database on scrape.",
    labelNames,
    registers,
    async collect() {
      const rows = await backlog();
      const now = ctx.now().getTime();
      this.reset();
      for (const r of rows)
        if (r.oldest) this.set({ endpoint: r.endpointId }, Math.max(0, (now - r.oldest.getTime()) / 1000));
    },
  });
}
