import { type Command, CommanderError } from "commander";
import { buildFullProgram } from "../../src/cli/program.js";
import { createTestIO, testDeps } from "./io.js";

// What test/unit/help-tree.test.ts holds every help page to: an Examples section whose commands
// parse against the real command tree, as a user would type them.

/** Every command of the tree, depth first, with its path of names ("keys rotate status"). */
export function walk(command: Command, path: string[] = []): Array<{ path: string[]; command: Command }> {
  return [{ path, command }, ...command.commands.flatMap((c) => walk(c, [...path, c.name()]))];
}

/** The help page exactly as `--help` prints it (commander's text plus what addHelpText adds). */
export function helpText(command: Command): string {
  let text = "";
  command.configureOutput({ writeOut: (s) => (text += s) });
  command.outputHelp();
  return text;
}

/** The command lines of a page's "Examples:" section (comment lines left out); undefined with none. */
export function examplesOf(help: string): string[] | undefined {
  const at = help.split("\n").indexOf("Examples:");
  if (at < 0) return undefined;
  const lines: string[] = [];
  for (const line of help.split("\n").slice(at + 1)) {
    if (line !== "" && !line.startsWith("  ")) break; // the next section
    const text = line.trim();
    if (text && !text.startsWith("#")) lines.push(text);
  }
  return lines;
}

/**
 * A command line split into words as a POSIX shell would (quotes, backslashes), up to the first
 * operator outside quotes (`|`, `>`, `<`, `;`, `&`) or comment: what intg itself receives.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word = (word ?? "") + c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && '"\\$`'.includes(line[i + 1] ?? "")) word = (word ?? "") + line[++i];
      else word = (word ?? "") + c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= "";
    } else if (c === "\\") word = (word ?? "") + (line[++i] ?? "");
    else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if ("|<>;&".includes(c) || (c === "#" && word === undefined)) break;
    else word = (word ?? "") + c;
  }
  if (quote) throw new Error(`unclosed ${quote} in: ${line}`);
  if (word !== undefined) words.push(word);
  return words;
}

const PARSED = new Error("parsed");

/**
 * Parses one example against a fresh full tree whose actions never run (a preAction hook stops
 * them): returns why it does not parse (unknown command or option, missing argument or required
 * option, a value the option's parser refuses, a renamed flag's old name), or undefined when it does.
 */
export async function exampleProblem(line: string): Promise<string | undefined> {
  const words = shellWords(line);
  if (words[0] !== "intg") return `does not start with "intg ": ${line}`;
  const io = createTestIO();
  const program = await buildFullProgram(testDeps({ io }));
  let renamed: string | undefined;
  program.hook("preAction", (_program, action) => {
    // A renamed flag still parses (a hidden alias for one release); an example must show the new name.
    const hidden = action.options.filter((o) => o.hidden && o.long).map((o) => o.long!);
    renamed = words.find((w) => hidden.some((h) => w === h || w.startsWith(`${h}=`)));
    throw PARSED;
  });
  const deprecated = () => (renamed ? `${line}\n    ${renamed} is deprecated (a hidden alias)` : undefined);
  try {
    await program.parseAsync(words.slice(1), { from: "user" });
    return deprecated();
  } catch (err) {
    if (err === PARSED) return deprecated();
    if (err instanceof CommanderError && err.code === "commander.helpDisplayed") return undefined;
    const message = err instanceof CommanderError ? err.message : String(err);
    return `${line}\n    ${message.replace(/\n/g, " ")}`;
  }
}
