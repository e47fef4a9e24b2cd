import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { WORKER_FIELDS } from "../../types/integration/webhook-delivery.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { listWorkers } from "../../services/webhooks/workers.js";
import { examples } from "../examples.js";

interface WorkersFlags {
  all?: boolean;
}

export function registerWorkers(noun: Command, context: ContextFactory): void {
  jsonFields(noun.command("workers"), WORKER_FIELDS)
    .description("List the delivery workers on this database from their heartbeats: live, or gone")
    .option("--all", "include workers that stopped cleanly")
    .addHelpText(
      "after",
      "\nA worker writes a heartbeat each time it renews its leases (a third of its --lease). One silent for three\n" +
        "heartbeats is gone: killed, crashed or cut off from the database; its leases have run out and other workers\n" +
        "take its deliveries. Workers silent for a day are forgotten. Silence is measured on the database's clock.",
    )
    .addHelpText(
      "after",
      examples([
        ["The workers running on this database", "intg webhooks workers"],
        ["Include those that stopped cleanly, as JSON", "intg webhooks workers --all --json"],
      ]),
    )
    .action(async (flags: WorkersFlags, cmd: Command) => {
      const ctx = context(cmd);
      const workers = await listWorkers(await ctx.services(), { all: Boolean(flags.all) });
      if (ctx.out.json) return ctx.out.printJson(workers);
      if (workers.length === 0)
        return ctx.out.info(
          `No ${flags.all ? "" : "running "}workers seen in the last day. Start one with: intg webhooks worker`,
        );
      const c = ctx.out.color;
      const paint = { live: c.green, gone: c.red, stopped: c.dim } as const;
      await ctx.out.table(
        ["ID", "HOST", "PID", "STATE", "LANES BUSY", "LAST CLAIM", "HEARTBEAT", "STARTED", "VERSION"],
        workers.map((w) => [
          w.id,
          w.host,
          w.pid,
          paint[w.state](w.state),
          `${w.lanesBusy}/${w.lanesTotal}`,
          // Instants: "3s ago" on a terminal, ISO-8601 in a pipe.
          w.lastClaimAt ?? "",
          w.lastHeartbeatAt,
          w.startedAt,
          w.version,
        ]),
      );
    });
}
