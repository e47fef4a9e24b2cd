import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { registerCreate } from "./create.js";
import { registerDelete } from "./delete.js";
import { registerDeprecate } from "./deprecate.js";
import { registerList } from "./list.js";
import { registerUndeprecate } from "./undeprecate.js";
import { registerUpdate } from "./update.js";

export function registerEventTypes(webhooks: Command, context: ContextFactory): void {
  const types = webhooks
    .command("event-types")
    .description("The catalog of event types: send refuses a type not in it");
  registerCreate(types, context);
  registerList(types, context);
  registerUpdate(types, context);
  registerDeprecate(types, context);
  registerUndeprecate(types, context);
  registerDelete(types, context);
}
