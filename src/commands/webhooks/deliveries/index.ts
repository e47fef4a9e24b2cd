import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { registerList } from "./list.js";
import { registerShow } from "./show.js";
import { examples } from "../../examples.js";

export function registerDeliveries(webhooks: Command, context: ContextFactory): void {
  const deliveries = webhooks
    .command("deliveries")
    .description("Deliveries: one event to one endpoint, across its attempts")
    .addHelpText(
      "after",
      examples([
        ["Failed deliveries of the last day", "intg webhooks deliveries list --status failed --since 24h"],
        ["One delivery with every attempt", "intg webhooks deliveries show dlv_01JD8RA1QZ"],
      ]),
    );
  registerList(deliveries, context);
  registerShow(deliveries, context);
}
