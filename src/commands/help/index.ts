import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { UsageError } from "../../errors.js";
import { EXIT_CODE_FIELDS, exitCodeTable } from "../../cli/exit-codes.js";
import { jsonFields } from "../../cli/json-fields.js";
import { examples } from "../examples.js";

const TOPICS = ["exit-codes"];

/** `intg help [command…]` as commander's, plus topics: `intg help exit-codes`. */
export function registerHelp(program: Command, context: ContextFactory): void {
  // Only `help exit-codes` prints JSON; a command's help page is text whatever the flags.
  jsonFields(program.command("help [path...]"), EXIT_CODE_FIELDS)
    .description(`show help for a command, or a topic: ${TOPICS.join(", ")}`)
    .addHelpText(
      "after",
      examples([
        ["Help for a command, as with --help", "intg help keys create"],
        ["What each exit code means", "intg help exit-codes"],
        ["The exit codes with their error codes, as JSON", "intg help exit-codes --json"],
      ]),
    )
    .action(async (path: string[], _opts, cmd: Command) => {
      if (path.length === 1 && path[0] === "exit-codes") {
        const out = context(cmd).out;
        // --json adds each exit code's error codes (the `code` of an error under --json).
        if (out.json) out.printJson(exitCodeTable());
        else
          await out.table(
            ["CODE", "MEANING"],
            exitCodeTable().map(({ code, meaning }) => [code, meaning]),
          );
        return;
      }
      let target: Command = program;
      for (const name of path) {
        const next = target.commands.find((c) => c.name() === name || c.aliases().includes(name));
        if (!next)
          throw new UsageError(
            `No help for "${path.join(" ")}".`,
            `Try 'intg --help' or a topic: ${TOPICS.join(", ")}.`,
          );
        target = next;
      }
      target.outputHelp();
    });
}
