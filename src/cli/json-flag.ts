import type { Command } from "commander";

// `--json` takes an optional value (`--json id,name`), so the word after it is ambiguous:
// `keys show --json key_01…` means the key, not a field. The word is read as fields only when it
// looks like field names (camelCase, commas) and is not a subcommand; otherwise it moves before
// the flag. When a field-like word was a required argument after all (`secrets show --json db`),
// commander reports it missing and run.ts parses again with the word moved.

const FIELDS = /^[a-z][A-Za-z0-9]*(,[a-z][A-Za-z0-9]*)*$/;

/** argv with the word after `--json` moved before it, or undefined when there is none to move. */
export function moveJsonValue(argv: readonly string[]): string[] | undefined {
  const i = argv.indexOf("--json");
  const word = argv[i + 1];
  if (i < 0 || word === undefined || word.startsWith("-")) return undefined;
  return [...argv.slice(0, i), word, "--json", ...argv.slice(i + 2)];
}

/** argv where the word after `--json` is its value only when it reads as one. */
export function placeJsonValue(argv: readonly string[], program: Command): readonly string[] {
  // Each move takes --json one word right (`intg --json keys list` twice), so this ends.
  for (;;) {
    const i = argv.indexOf("--json");
    const word = argv[i + 1];
    if (i < 0 || word === undefined || word.startsWith("-")) return argv;
    if (FIELDS.test(word) && !namesSubcommand(program, argv.slice(0, i), word)) return argv;
    argv = moveJsonValue(argv)!;
  }
}

// Whether `word` is a subcommand of the command the words before --json lead to (`intg --json keys list`).
function namesSubcommand(program: Command, before: readonly string[], word: string): boolean {
  let command = program;
  for (const w of before) {
    const sub = command.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (sub) command = sub;
  }
  return command.commands.some((c) => c.name() === word || c.aliases().includes(word));
}
