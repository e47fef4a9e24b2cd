import { createWriteStream, existsSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../cli/errors.js";
import { parseEnumList, parseWhenFlag } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { exportDeliveries } from "../../services/webhooks/export/export.js";
import { DeliveryStatus } from "../../types/enums.js";

interface ExportFlags { endpoint?: string; status?: string; since?: string; until?: string; event?: string; out?: string; withEndpointHeaders?: boolean }

export function registerExport(noun: Command, context: ContextFactory): void {
  noun
    .command("export")
    .description("Write deliveries as NDJSON (exact body bytes, headers, ids, timestamps) for `webhooks replay --from`")
    .option("--endpoint <id>", "only deliveries to this endpoint")
    .option("--status <s,...>", "only deliveries in these states, e.g. failed,delivered")
    .option("--since <when>", "created since a duration ago (24h) or a date")
    .option("--until <when>", "created before this")
    .option("--event <id>", "only the deliveries of this event")
    .option("--out <file>", "write to this file (replaced only once the export is complete) instead of stdout")
    .option("--with-endpoint-headers", "also write each endpoint's own extra headers, values in the clear (often its credentials)")
    .addHelpText(
      "after",
      "\nEach line: deliveryId, eventId, endpointId, webhookId, eventType, status, headers, body, timestamps.\n" +
        "headers are those of the delivery's last attempt (headersSource last_attempt); a delivery never attempted\n" +
        "is signed at export time with its endpoint's current secrets (signed_at_export). Either way the\n" +
        "signature verifies over the exported body, so `replay --from` can send it as it is.\n" +
        "The endpoint's own extra headers are left out (named in endpointHeaderNames) unless --with-endpoint-headers.",
    )
    .action(async (flags: ExportFlags, cmd: Command) => {
      const ctx = context(cmd);
      const now = ctx.now();
      const since = flags.since === undefined ? null : parseWhenFlag("--since", flags.since, now);
      const until = flags.until === undefined ? null : parseWhenFlag("--until", flags.until, now);
      if (since && until && until <= since) throw new UsageError("--until must be after --since.");
      const status = flags.status === undefined ? null : parseEnumList("--status", flags.status, DeliveryStatus);
      if (flags.out !== undefined && !existsSync(dirname(flags.out))) throw new UsageError(`--out: the folder of ${flags.out} does not exist; nothing was written.`);
      const filter = { endpointId: flags.endpoint ?? null, eventId: flags.event ?? null, status, since, until };
      const services = await ctx.services();
      const options = { withEndpointHeaders: flags.withEndpointHeaders === true };
      if (flags.out === undefined) {
        const n = await exportDeliveries(services, filter, (r) => ctx.out.printNdjson(r), options);
        return ctx.out.info(`Exported ${n} deliveries.`);
      }
      // Written beside the target and renamed at the end: a failed export leaves no half file.
      const partial = `${flags.out}.partial-${process.pid}`;
      const stream = createWriteStream(partial, { flags: "wx" });
      try {
        const n = await exportDeliveries(services, filter, (r) => {
          if (!stream.write(JSON.stringify(r) + "\n")) return new Promise<void>((resolve) => stream.once("drain", resolve));
        }, options);
        await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
        renameSync(partial, flags.out);
        ctx.out.info(`Exported ${n} deliveries to ${flags.out}.`);
      } catch (error) {
        stream.destroy();
        rmSync(partial, { force: true });
        throw error;
      }
    });
}
