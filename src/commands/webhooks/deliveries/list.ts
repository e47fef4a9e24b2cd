import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { DELIVERY_FIELDS } from "../../../types/integration/webhook.fields.js";
import { enumListOption, sinceOption } from "../../../cli/flags.js";
import { parseEnumList, parseIntFlag, parseWhenFlag } from "../../../cli/parse.js";
import type { ContextFactory } from "../../../cli/program.js";
import { listDeliveries, type DeliveryFilter } from "../../../services/webhooks/deliveries.js";
import { DeliveryStatus } from "../../../types/enums.js";
import { printDeliveries } from "../render.js";
import { examples } from "../../examples.js";

interface ListFlags {
  status?: string;
  endpoint?: string;
  event?: string;
  since?: string;
  limit: string;
}

export function registerList(deliveries: Command, context: ContextFactory): void {
  jsonFields(deliveries.command("list"), DELIVERY_FIELDS)
    .alias("ls")
    .description("List deliveries, newest first")
    .addOption(enumListOption("--status <s,...>", "deliveries in these states", DeliveryStatus))
    .option("--endpoint <id>", "deliveries to this endpoint")
    .option("--event <id>", "deliveries of this event")
    .addOption(sinceOption("deliveries created since"))
    .option("--limit <n>", "at most this many", "100")
    .addHelpText(
      "after",
      examples([
        ["The latest deliveries", "intg webhooks deliveries list"],
        [
          "Failed deliveries to one endpoint in the last day",
          "intg webhooks deliveries list --status failed --endpoint ep_01JD8R2N5T --since 24h",
        ],
        ["Every delivery of one event, as JSON", "intg webhooks deliveries list --event evt_01JD8R7W3K --json"],
      ]),
    )
    .action(async (flags: ListFlags, cmd: Command) => {
      const ctx = context(cmd);
      const filter: DeliveryFilter = {
        endpointId: flags.endpoint,
        eventId: flags.event,
        limit: parseIntFlag("--limit", flags.limit, 1, 10_000),
      };
      if (flags.status) filter.status = parseEnumList("--status", flags.status, DeliveryStatus);
      if (flags.since) filter.since = parseWhenFlag("--since", flags.since, ctx.now());
      await printDeliveries(ctx, await listDeliveries(await ctx.services(), filter));
    });
}
