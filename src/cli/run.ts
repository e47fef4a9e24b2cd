import { CommanderError } from "commander";
import type { CommandContext } from "./context.js";
import type { Deps } from "./deps.js";
import { IntgError, UsageError } from "../errors.js";
import { withDbFlag } from "./db-hint.js";
import { ExitCode, exitCodeFor } from "./exit-codes.js";
import { colourPossible, type StyleFactory } from "./output.js";
import { moveJsonValue, placeJsonValue } from "./json-flag.js";
import { buildProgram } from "./program.js";

/**
 * Runs one invocation and returns its exit code. This is the only place that turns errors into
 * exit codes and messages; commands throw, and nothing calls process.exit.
 */
export async function run(argv: string[], deps: Deps): Promise<number> {
  const contexts: CommandContext[] = [];
  const json = argv.some((a) => /^--(json|jq)(=|$)/.test(a));
  const parse = async (args: readonly string[]) => {
    const program = await buildProgram(deps, (ctx) => contexts.push(ctx), await loadStyle(deps, args), args);
    await program.parseAsync(placeJsonValue(args, program), { from: "user" });
  };
  try {
    await parse(argv).catch((err) => {
      // `secrets show --json db`: "db" was read as a field list, and the name is missing. Nothing
      // ran (commander checks arguments before any action): parse again with it as the argument.
      const moved = moveJsonValue(argv);
      if (!(err instanceof CommanderError && err.code === "commander.missingArgument" && moved)) throw err;
      return parse(moved);
    });
    return ExitCode.OK;
  } catch (err) {
    return report(toIntgError(err), deps, json, argv);
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
}

async function loadStyle(deps: Deps, argv: readonly string[]): Promise<StyleFactory | undefined> {
  if (!colourPossible(deps.io, deps.env, argv)) return undefined;
  const { Chalk } = await import("chalk");
  return (enabled) => new Chalk({ level: enabled ? 1 : 0 });
}

function toIntgError(err: unknown): IntgError | CommanderError | Error {
  if (err instanceof CommanderError) {
    // --help and --version end parsing through an exception too; they are not failures.
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return err;
    // `intg db help status` prints that help and ends with code 0; a noun without a verb ends with 1.
    if (err.code === "commander.help" && err.exitCode === 0) return err;
    if (err.code === "commander.help" || err.code === "commander.executeSubCommandAsync") {
      return new UsageError("A subcommand is required.", "Run with --help to see the subcommands.");
    }
    const message = err.message.replace(/^error: /, "").replace(/\n/g, " ");
    return new UsageError(message.charAt(0).toUpperCase() + message.slice(1), "Run 'intg --help' for usage.");
  }
  if (err instanceof IntgError || err instanceof Error) return err;
  return new Error(String(err));
}

function report(err: IntgError | CommanderError | Error, deps: Deps, json: boolean, argv: string[]): number {
  if (err instanceof CommanderError) return ExitCode.OK;
  const { stderr } = deps.io;
  const debug = deps.env.INTG_DEBUG === "1";
  const known = err instanceof IntgError;
  const code = known ? err.code : "INTERNAL";
  const message = withDbFlag(known ? err.message : `internal error: ${err.message}`, argv, deps.cwd);
  const given = known ? err.hint : "Run again with INTG_DEBUG=1 to see the stack trace.";
  const hint = given === undefined ? undefined : withDbFlag(given, argv, deps.cwd);
  if (json) {
    stderr.write(JSON.stringify({ error: { code, message, ...(hint ? { hint } : {}) } }) + "\n");
  } else {
    stderr.write(`intg: ${message}\n`);
    if (hint) stderr.write(`${hint}\n`);
  }
  if (debug && err.stack) stderr.write(err.stack + "\n");
  return known ? exitCodeFor(err.kind) : ExitCode.FAILURE;
}
