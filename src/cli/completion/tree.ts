import type { Command, Option } from "commander";

/** One flag of a command as a shell sees it. */
export interface CompletionOption {
  /** How it is typed: `["-q", "--quiet"]`, `["--channel"]`. */
  flags: string[];
  /** The next word (or what follows `=`) is its value, not a command. */
  takesValue: boolean;
  /** Its values when commander declares them with `.choices()`. */
  choices: readonly string[];
  description: string;
}

/** One command: what may follow it on the command line. */
export interface CompletionNode {
  /** Every spelling of the words after `intg` that reach it, aliases included; `""` is `intg` itself. */
  paths: string[];
  commands: { name: string; description: string }[];
  /** Its own flags and those of its ancestors below the program (the program's are `globals`). */
  options: CompletionOption[];
  /** Its positional arguments, in order: values offered in each position. */
  args: { choices: readonly string[]; variadic: boolean }[];
}

export interface CompletionTree {
  /** The program's flags: commander accepts them after any command, as help's "Global Options" shows. */
  globals: CompletionOption[];
  nodes: CompletionNode[];
}

/**
 * What the shells complete, read from the commander tree itself, so a command, flag or choice added
 * anywhere is completed without another list to keep. Hidden commands and options stay out, as in help.
 */
export function completionTree(program: Command): CompletionTree {
  const help = program.createHelp();
  const nodes: CompletionNode[] = [];
  const visit = (cmd: Command, paths: string[], inherited: CompletionOption[]): void => {
    const own = help.visibleOptions(cmd).map(toOption);
    const options = cmd === program ? own : [...own, ...inherited];
    const subs = help.visibleCommands(cmd);
    nodes.push({
      paths,
      commands: subs.map((sub) => ({ name: sub.name(), description: firstLine(help.subcommandDescription(sub)) })),
      options,
      args: cmd.registeredArguments.map((a) => ({ choices: a.argChoices ?? [], variadic: a.variadic })),
    });
    // Options of a command between the program and a leaf apply to its subcommands too.
    const passed = cmd === program ? [] : [...visibleOwn(cmd), ...inherited];
    for (const sub of subs) {
      const names = [sub.name(), ...sub.aliases()];
      visit(
        sub,
        paths.flatMap((p) => names.map((n) => (p ? `${p} ${n}` : n))),
        passed,
      );
    }
  };
  visit(program, [""], []);
  return { globals: visibleOwn(program), nodes };
}

/** A command's declared options that help shows, without the help flag commander gives every command. */
function visibleOwn(cmd: Command): CompletionOption[] {
  return cmd.options.filter((o) => !o.hidden).map(toOption);
}

function toOption(o: Option): CompletionOption {
  return {
    flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
    takesValue: o.required || o.optional,
    choices: o.argChoices ?? [],
    description: firstLine(o.description),
  };
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.trim();
}

/** The words of every flag in a list, and of those that take a value. */
export function flagWords(options: readonly CompletionOption[]): { all: string[]; valued: string[] } {
  return {
    all: options.flatMap((o) => o.flags),
    valued: options.filter((o) => o.takesValue).flatMap((o) => o.flags),
  };
}
