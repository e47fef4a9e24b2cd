import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { registerActivity } from "./activity.js";
import { registerBackup } from "./backup.js";
import { registerCheck } from "./check.js";
import { registerCreate } from "./create.js";
import { registerList } from "./list.js";
import { registerRequest } from "./request.js";
import { registerState } from "./state.js";
import { registerUpdate } from "./update.js";
import { registerValidate } from "./validate.js";

export function registerConnections(connections: Command, context: ContextFactory): void {
  registerCreate(connections, context);
  registerList(connections, context);
  registerUpdate(connections, context);
  registerState(connections, context);
  registerValidate(connections, context);
  registerCheck(connections, context);
  registerRequest(connections, context);
  registerActivity(connections, context);
  registerBackup(connections, context);
}
