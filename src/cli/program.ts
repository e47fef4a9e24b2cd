import { Command, Option } from "commander";
import { registerDb } from "../commands/db/index.js";
import { registerKeys } from "../commands/keys/index.js";
import { registerAudit } from "../commands/audit/index.js";
import { registerComingNouns } from "../commands/coming.js";
import { registerHelp } from "../commands/help/index.js";
import { registerSecrets } from "../commands/secrets/index.js";
import { CommandContext } from "./context.js";
import type { Deps, GlobalOptions } from "./deps.js";
import type { StyleFactory } from "./output.js";
import { VERSION } from "./version.js";

/** Gives each action its context: built once, from the global flags, when an action runs. */
export type ContextFactory = (command: Command) => CommandContext;

/**
 * The whole command tree. Output is routed through deps.io and commander never exits the
 * process: errors surface as exceptions that run.ts turns into exit codes.
 */
export function buildProgram(deps: Deps, onContext: (ctx: CommandContext) => void, style?: StyleFactory): Command {
  const program = new Command("intg")
    .description("Administer a platform's integrations: API keys, webhooks, connections and external references.")
    .version(VERSION, "-V, --version", "print the version")
    .addOption(new Option("--db <url>", "database URL (file:<path> or postgresql://…); default: the embedded SQLite file"))
    .option("--json", "print results as JSON", false)
    .option("--no-color", "never use colour")
    .option("-q, --quiet", "print nothing but results and errors", false)
    .option("-y, --yes", "answer yes to confirmations (needed when not interactive)", false)
    .showSuggestionAfterError(true)
    .helpCommand(false)
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true });

  const context: ContextFactory = (command) => {
    const ctx = new CommandContext(deps, command.optsWithGlobals() as GlobalOptions, style);
    onContext(ctx);
    return ctx;
  };

  registerDb(program, context);
  registerSecrets(program, context);
  registerKeys(program, context);
  registerAudit(program, context);
  registerComingNouns(program);
  registerHelp(program, context);

  configureTree(program, deps);
  return program;
}

function configureTree(command: Command, deps: Deps): void {
  command
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.io.stdout.write(s),
      writeErr: (s) => deps.io.stderr.write(s),
      // run.ts prints errors itself (as JSON under --json); commander's own copy is dropped.
      outputError: () => undefined,
    });
  for (const sub of command.commands) configureTree(sub, deps);
}
