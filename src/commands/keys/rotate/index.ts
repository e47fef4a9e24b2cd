import type { Command } from "commander";
import { jsonFields } from "../../../cli/json-fields.js";
import { API_KEY_CREATED_FIELDS } from "../../../types/integration/api.fields.js";
import type { ContextFactory } from "../../../cli/program.js";
import { UsageError } from "../../../errors.js";
import { examples } from "../../examples.js";
import { addKeyRotation } from "./key.js";
import { registerStatus } from "./status.js";

// `keys rotate <id>` rotates: the argument, --grace and the action sit on `rotate` itself, so its
// help lists them; `keys rotate status <id>` checks a rotation's cut-over.
export function registerRotate(keys: Command, context: ContextFactory): void {
  const rotate = jsonFields(keys.command("rotate"), API_KEY_CREATED_FIELDS)
    .description("Rotate a key, or check a rotation's cut-over: rotate <id> | rotate status <id>")
    .usage("[options] <id> | status <id>")
    // The root parses options wherever they stand, so `rotate status <id> --grace 1h` would hand
    // --grace to rotate: refused, as status takes none, rather than ignored.
    .hook("preSubcommand", (command) => {
      if (command.getOptionValueSource("grace") === "cli")
        throw new UsageError("--grace is for keys rotate <id>; keys rotate status takes no --grace.");
    });
  addKeyRotation(rotate, context);
  registerStatus(rotate, context);
  rotate.addHelpText(
    "after",
    examples([
      ["Rotate a key; the old one stays valid for 24 hours", "intg keys rotate key_01JD8Q3ZK7 --grace 24h"],
      ["Rotate a leaked key and end the old one now", "intg keys rotate key_01JD8Q3ZK7 --grace 0"],
      ["See whether callers still use the old key (exit 8 while they do)", "intg keys rotate status key_01JD8Q3ZK7"],
    ]),
  );
}
