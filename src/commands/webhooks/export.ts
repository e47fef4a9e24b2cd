import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { EXPORT_RECORD_FIELDS } from "../../types/integration/webhook-delivery.fields.js";
import { UsageError } from "../../errors.js";
import { enumListOption, sinceOption, untilOption } from "../../cli/flags.js";
import { parseEnumList, parseWhenFlag } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { withPrivateFile } from "../../lib/private-file.js";
import { exportDeliveries } from "../../services/webhooks/export/export.js";
import { DeliveryStatus } from "../../types/enums.js";
import { examples } from "../examples.js";

interface ExportFlags {
  endpoint?: string;
  status?: string;
  since?: string;
  until?: string;
  event?: string;
  out?: string;
  withEndpointHeaders?: boolean;
}

export function registerExport(noun: Command, context: ContextFactory): void {
  jsonFields(noun.command("export"), EXPORT_RECORD_FIELDS)
    .description("Write deliveries as NDJSON (exact body bytes, headers, ids, timestamps) for `webhooks replay --from`")
    .option("--endpoint <id>", "only deliveries to this endpoint")
    .addOption(
      enumListOption("--status <s,...>", "only deliveries in these states, e.g. failed,delivered", DeliveryStatus),
    )
    .addOption(sinceOption("only deliveries created since"))
    .addOption(untilOption("only deliveries created before"))
    .option("--event <id>", "only the deliveries of this event")
    .option("--out <file>", "write to this file (replaced only once the export is complete) instead of stdout")
    .option(
      "--with-endpoint-headers",
      "also write each endpoint's own extra headers, values in the clear (often its credentials)",
    )
    .addHelpText(
      "after",
      "\nEach line: deliveryId, eventId, endpointId, webhookId, eventType, status, headers, body, timestamps.\n" +
        "headers are those of the delivery's last attempt (headersSource last_attempt); a delivery never attempted\n" +
        "is signed at export time with its endpoint's current secrets (signed_at_export). Either way the\n" +
        "signature verifies over the exported body, so `replay --from` can send it as it is.\n" +
        "The endpoint's own extra headers are left out (named in endpointHeaderNames) unless --with-endpoint-headers.",
    )
    .addHelpText(
      "after",
      examples([
        [
          "Export one endpoint's failed deliveries of the last day",
          "intg webhooks export --endpoint ep_01JD8R2N5T --status failed --since 24h --out failed.ndjson",
        ],
        ["Export every delivery of one event to stdout", "intg webhooks export --event evt_01JD8R7W3K"],
      ]),
    )
    .action(async (flags: ExportFlags, cmd: Command) => {
      const ctx = context(cmd);
      const now = ctx.now();
      const since = flags.since === undefined ? null : parseWhenFlag("--since", flags.since, now);
      const until = flags.until === undefined ? null : parseWhenFlag("--until", flags.until, now);
      if (since && until && until <= since) throw new UsageError("--until must be after --since.");
      const status = flags.status === undefined ? null : parseEnumList("--status", flags.status, DeliveryStatus);
      const filter = { endpointId: flags.endpoint ?? null, eventId: flags.event ?? null, status, since, until };
      const options = { withEndpointHeaders: flags.withEndpointHeaders === true };
      if (flags.out === undefined) {
        const n = await exportDeliveries(await ctx.services(), filter, (r) => ctx.out.printNdjson(r), options);
        return ctx.out.info(`Exported ${n} deliveries.`);
      }
      // Owner-only, written beside the target and renamed at the end: a failed export leaves no half
      // file. The file is opened first, so a bad --out fails before the database is touched.
      const n = await withPrivateFile(flags.out, async (file) =>
        exportDeliveries(await ctx.services(), filter, (r) => file.write(JSON.stringify(r) + "\n"), options),
      );
      ctx.out.info(`Exported ${n} deliveries to ${flags.out}.`);
    });
}
