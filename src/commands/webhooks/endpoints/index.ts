import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { registerCreate } from "./create.js";
import { registerDelete } from "./delete.js";
import { registerDisable } from "./disable.js";
import { registerEnable } from "./enable.js";
import { registerList } from "./list.js";
import { registerRotateSecret } from "./rotate-secret.js";
import { registerShow } from "./show.js";
import { registerUpdate } from "./update.js";

export function registerEndpoints(webhooks: Command, context: ContextFactory): void {
  const endpoints = webhooks
    .command("endpoints")
    .description("Where events are delivered: URL, filter, schedule, signing secret");
  registerCreate(endpoints, context);
  registerUpdate(endpoints, context);
  registerList(endpoints, context);
  registerShow(endpoints, context);
  registerDisable(endpoints, context);
  registerEnable(endpoints, context);
  registerDelete(endpoints, context);
  registerRotateSecret(endpoints, context);
}
