import type { Command } from "commander";
import { UsageError } from "../cli/errors.js";

// The domains whose issues have not landed yet. They show what is coming in their help and have
// no verbs: `intg keys list` is refused as a usage error (exit 2), never a pretend success.
const COMING: readonly (readonly [noun: string, description: string])[] = [
  ["refs", "External references and mappings: link, lookup, bulk import and export, sync"],
];

export function registerComingNouns(program: Command): void {
  for (const [noun, description] of COMING) {
    program
      .command(noun)
      .description(`${description} (coming)`)
      .argument("[verb...]")
      .allowUnknownOption()
      .addHelpText("after", `\n'intg ${noun}' is not available in this version yet; its commands are coming.`)
      .action((verb: string[]) => {
        const what = ["intg", noun, ...verb.slice(0, 1)].join(" ");
        throw new UsageError(`'${what}' is not available in this version of intg yet.`, `See 'intg ${noun} --help' for what is coming.`, "NOT_AVAILABLE");
      });
  }
}
