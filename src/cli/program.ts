import { Command, Help, Option } from "commander";
import { examples } from "../commands/examples.js";
import { registerHelp } from "../commands/help/index.js";
import { CommandContext } from "./context.js";
import type { Deps, GlobalOptions } from "./deps.js";
import { type JqFilter, loadJqFilter, parseJsonFields } from "./json-filter.js";
import { checkJsonFields, declaredJsonFields, NO_FIELDS } from "./json-fields.js";
import type { StyleFactory } from "./output.js";
import { NOUNS } from "./nouns.js";
import { VERSION } from "./version.js";

/** Gives each action its context: built once, from the global flags, when an action runs. */
export type ContextFactory = (command: Command) => CommandContext;

/** The words of an argv that are not flags (or the global flag's value), after `help`: noun, verb, … */
export function invokedWords(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") break;
    if (arg === "--db") i++;
    else if (!arg.startsWith("-")) words.push(arg);
  }
  return words[0] === "help" ? words.slice(1) : words;
}

/** The noun an argv names: its first word that is not a flag (or the flag's value), after `help`. */
export function invokedNoun(argv: readonly string[]): string | undefined {
  return invokedWords(argv)[0];
}

/**
 * The whole command tree. Output is routed through deps.io and commander never exits the
 * process: errors surface as exceptions that run.ts turns into exit codes.
 */
export async function buildProgram(
  deps: Deps,
  onContext: (ctx: CommandContext) => void,
  style: StyleFactory | undefined,
  argv: readonly string[],
  everyNoun = false,
): Promise<Command> {
  const program = new Command("intg")
    .description("Administer a platform's integrations: API keys, webhooks, connections and external references.")
    .version(VERSION, "-V, --version", "print the version")
    .addOption(
      new Option("--db <url>", "database URL (file:<path> or postgresql://…); default: the embedded SQLite file"),
    )
    .option("--json [fields]", "print results as JSON; --json id,name prints only those fields", false)
    .option("--jq <expression>", "filter the JSON output with a jq expression (implies --json)")
    .option("--no-color", "never use colour")
    .option("-q, --quiet", "print nothing but results and errors", false)
    .option("-y, --yes", "answer yes to confirmations (needed when not interactive)", false)
    .showSuggestionAfterError(true)
    .helpCommand(false)
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true, optionDescription: markRequired })
    .addHelpText("after", examples(ROOT_EXAMPLES));

  // Flag values that must be right before anything is written: the field list (its shape, and
  // names the command declares), and the jq expression (compiled here, so the command's own output
  // can be filtered synchronously).
  let jq: JqFilter | undefined;
  program.hook("preAction", async (_program, action) => {
    const raw = action.optsWithGlobals() as RawGlobals;
    if (typeof raw.json === "string") checkJsonFields(action, parseJsonFields(raw.json));
    if (raw.jq !== undefined) jq = await loadJqFilter(raw.jq, deps.io.stdoutIsTTY);
  });

  const context: ContextFactory = (command) => {
    const ctx = new CommandContext(deps, globalOptions(command), style, jq);
    onContext(ctx);
    return ctx;
  };

  const [wanted, verb] = invokedWords(argv);
  for (const noun of NOUNS) {
    const command = program.command(noun.name).description(noun.description);
    if (everyNoun || noun.name === wanted) await (await noun.load())(command, context, verb);
  }
  registerHelp(program, context);

  configureTree(program, deps);
  return program;
}

/** The whole command tree with every noun's verbs loaded: `intg completion` walks it, and so can a test. */
export function buildFullProgram(deps: Deps): Promise<Command> {
  return buildProgram(deps, () => undefined, undefined, [], true);
}

/** The global flags as commander parses them: `--json` alone is true, `--json a,b` the list. */
type RawGlobals = Omit<GlobalOptions, "json"> & { json: boolean | string };

function globalOptions(command: Command): GlobalOptions {
  const raw = command.optsWithGlobals() as RawGlobals;
  const fields = typeof raw.json === "string" ? parseJsonFields(raw.json) : undefined;
  const declared = declaredJsonFields(command);
  const known = declared === NO_FIELDS ? undefined : declared;
  return { ...raw, json: raw.json !== false || raw.jq !== undefined, jsonFields: fields, jsonFieldsDeclared: known };
}

const ROOT_EXAMPLES = [
  ["Create an API key for CI; the key is printed once, on stdout", "intg keys create --name ci --expires-in 90d"],
  ["The CI health gate: exit 0 when every connection is healthy", "intg connections check --all --json"],
  ["Check the whole installation, each failure with the command that fixes it", "intg doctor"],
  ["Use a shared PostgreSQL database instead of the embedded file", "intg --db postgresql://intg@db/intg db status"],
] as const;

/** Commander lists a mandatory option like any other; the help says it is needed. */
function markRequired(this: Help, option: Option): string {
  const text = Help.prototype.optionDescription.call(this, option);
  return option.mandatory ? `${text} (required)` : text;
}

function configureTree(command: Command, deps: Deps): void {
  command.exitOverride().configureOutput({
    writeOut: (s) => deps.io.stdout.write(s),
    writeErr: (s) => deps.io.stderr.write(s),
    // run.ts prints errors itself (as JSON under --json); commander's own copy is dropped.
    outputError: () => undefined,
  });
  for (const sub of command.commands) configureTree(sub, deps);
}
