import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { registerKey } from "./key.js";
import { registerStatus } from "./status.js";

// `keys rotate <id>` rotates: `key` is the group's hidden default verb, so the id lands there;
// `keys rotate status <id>` checks a rotation's cut-over.
export function registerRotate(keys: Command, context: ContextFactory): void {
  const rotate = keys
    .command("rotate")
    .description("Rotate a key, or check a rotation's cut-over: rotate <id> | rotate status <id>");
  registerKey(rotate, context);
  registerStatus(rotate, context);
}
