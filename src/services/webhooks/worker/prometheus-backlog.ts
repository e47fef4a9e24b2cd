import { Gauge, type Registry } from "prom-client";
import { typed } from "../../../db/kysely.js";
import { backlogOfLargest } from "../../../db/queries/webhook-delivery/backlog.js";
import type { ServiceContext } from "../../context.js";

// The backlog gauges of the worker's metrics: read on scrape, one grouped query for every endpoint,
// kept briefly so that several scrapers (an HA pair of Prometheus servers) cost one query.

const BACKLOG_CACHE_MS = 2000;
// A series per endpoint grew with every endpoint anyone created, without bound: each gauge keeps
// its own series for the 50 endpoints with the largest backlog, where an operator looks first (a
// dashboard's top list, an alert on one endpoint), and sums the rest into endpoint="other" (its
// age the oldest among them, so an age alert still fires). 51 series a gauge stays well within
// what Prometheus handles per metric. Endpoint ids all start "ep_", so no endpoint is "other".
export const BACKLOG_SERIES = 50;
export const OTHER_ENDPOINTS = "other";
const LARGEST = ` (the ${BACKLOG_SERIES} largest backlogs; the rest summed as endpoint="${OTHER_ENDPOINTS}")`;

/** The backlog per endpoint (the largest; see above) and its oldest delivery's age, from one cached query. */
export function backlogGauges(ctx: ServiceContext, registers: Registry[]): void {
  let cached: { at: number; rows: ReturnType<typeof backlogOfLargest> } | undefined;
  const backlog = () => {
    const now = Date.now();
    if (!cached || now - cached.at >= BACKLOG_CACHE_MS) {
      const rows = backlogOfLargest(typed(ctx.sql), BACKLOG_SERIES).catch((error) => {
        cached = undefined; // the next scrape asks again
        throw error;
      });
      cached = { at: now, rows };
    }
    return cached.rows;
  };
  const labelNames = ["endpoint"] as const;
  const label = (r: { endpointId: string | null }) => ({ endpoint: r.endpointId ?? OTHER_ENDPOINTS });
  new Gauge({
    name: "intg_webhook_backlog_deliveries",
    help: `Deliveries waiting (pending or being sent), per endpoint with any${LARGEST}; read on scrape.`,
    labelNames,
    registers,
    async collect() {
      const rows = await backlog();
      this.reset();
      for (const r of rows) this.set(label(r), r.n);
    },
  });
  new Gauge({
    name: "intg_webhook_backlog_oldest_age_seconds",
    help: `Age of the oldest waiting delivery, per endpoint with any${LARGEST}; read on scrape.`,
    labelNames,
    registers,
    async collect() {
      const rows = await backlog();
      const now = ctx.now().getTime();
      this.reset();
      for (const r of rows) if (r.oldest) this.set(label(r), Math.max(0, (now - r.oldest.getTime()) / 1000));
    },
  });
}
