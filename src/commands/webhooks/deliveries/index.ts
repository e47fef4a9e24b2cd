import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { registerList } from "./list.js";
import { registerShow } from "./show.js";

export function registerDeliveries(webhooks: Command, context: ContextFactory): void {
  const deliveries = webhooks
    .command("deliveries")
    .description("Deliveries: one event to one endpoint, across its attempts");
  registerList(deliveries, context);
  registerShow(deliveries, context);
}
