import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { registerCreate } from "./create.js";
import { registerList } from "./list.js";
import { registerTransfer } from "./transfer.js";

export function registerProviders(providers: Command, context: ContextFactory): void {
  registerList(providers, context);
  registerCreate(providers, context);
  registerTransfer(providers, context);
}
