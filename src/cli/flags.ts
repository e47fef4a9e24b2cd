import { type Command, Option } from "commander";
import { parseDateFlag, parseDurationFlag, parseEnum, parseEnumList, parseRateFlag, parseWhenFlag } from "./parse.js";

// The flags several nouns share, defined once so that one idea has one name and one syntax (DESIGN
// §5): credential input, durations, points in time, rates, environments and enums. Each option
// checks its value as commander reads it, so a bad value is a usage error (exit 2) before anything
// runs, and a renamed flag's old name is checked alike. The value stays the text given (enums in
// their canonical case): commands convert it with the same parser, where they have their clock.

type Check = (flag: string, text: string) => string;

/** How each shared option checks its value, so that a renamed flag's old name checks it the same way. */
const CHECKS = new WeakMap<Option, Check>();

function checked(flags: string, description: string, check: Check): Option {
  const option = new Option(flags, description);
  CHECKS.set(option, check);
  return option.argParser((text: string) => check(option.long ?? option.flags, text));
}

/** A duration: 90d, 24h, 15m, 30s, 500ms, 1h30m. */
export function durationOption(flags: string, description: string, defaultText?: string): Option {
  const option = checked(flags, description, (flag, text) => (parseDurationFlag(flag, text), text));
  return defaultText === undefined ? option : option.default(defaultText);
}

/** An ISO-8601 date: 2026-12-31 or 2026-12-31T23:59:00Z. */
export function dateOption(flags: string, description: string): Option {
  return checked(flags, description, (flag, text) => (parseDateFlag(flag, text), text));
}

/** A point in time, a duration ago (24h) or a date (2026-01-31): --since and --until everywhere. */
function whenOption(flags: string, what: string, defaultText?: string): Option {
  const description = `${what}: a duration ago (24h) or a date (2026-01-31)`;
  const option = checked(flags, description, (flag, text) => (parseWhenFlag(flag, text, new Date()), text));
  return defaultText === undefined ? option : option.default(defaultText);
}

export const sinceOption = (what: string, defaultText?: string) => whenOption("--since <when>", what, defaultText);
export const untilOption = (what: string, defaultText?: string) => whenOption("--until <when>", what, defaultText);

export interface RateOptions {
  /** What a bare number counts, and what the command stores: per second or per minute. */
  unit: "second" | "minute";
  max?: number;
  /** A word taken instead of a rate, e.g. 'none' to lift the limit. */
  keyword?: string;
}

/** --rate-limit: 50/s, 3000/m or 100/h on every noun. */
export function rateLimitOption(description: string, { unit, max, keyword }: RateOptions): Option {
  return checked(
    "--rate-limit <rate>",
    `${description}, e.g. 50/s or 3000/m; a bare number is per ${unit}`,
    (flag, text) => (text === keyword ? text : (parseRateFlag(flag, text, unit, max), text)),
  );
}

type Values = Record<string, string> | readonly string[];

/** Completion offers the values (commander's argChoices) and help lists them, in lower case. */
function withChoices(option: Option, values: Values): Option {
  option.argChoices = Object.values(values).map((v) => v.toLowerCase());
  return option;
}

/**
 * One value of an enum, in either case (api_key or API_KEY); the value kept is the enum's own.
 * `parse` replaces the generic check where a command words its refusal itself.
 */
export function enumOption(
  flags: string,
  description: string,
  values: Values,
  parse?: (text: string) => string,
): Option {
  const check: Check = parse ? (_flag, text) => parse(text) : (flag, text) => parseEnum(flag, text, values);
  return withChoices(checked(flags, description, check), values);
}

/** A comma-separated list of enum values, in either case: --status failed,DELIVERED. */
export function enumListOption(flags: string, description: string, values: Values): Option {
  // Kept as given: commands read lists with parseEnumList, and some compare the text to a default.
  const check: Check = (flag, text) => (parseEnumList(flag, text, values), text);
  return withChoices(checked(flags, description, check), values);
}

/**
 * An API key's --env: live or test, as on Stripe and Unkey (it is part of the key's text). A
 * connection's deployment environment is --environment, named for IntegrationEnvironment.
 */
export const KEY_ENVIRONMENTS = ["live", "test"] as const;

/** Where a secret is read from, besides stdin: never a flag's value (it would leak into ps). */
export const fromFileOption = (what: string) => new Option("--from-file <path>", `read ${what} from a file`);
export const fromEnvOption = (what: string) =>
  new Option("--from-env <VAR>", `read ${what} from an environment variable`);

/**
 * Adds `current` to the command, and its old name as a hidden flag that works the same for one
 * release: its value (checked alike) becomes the current flag's, and the command prints one line
 * on stderr naming the new flag (a warning: -q, results and errors only, silences it).
 */
export function addRenamedOption(command: Command, current: Option, oldFlags: string): Command {
  const check = CHECKS.get(current);
  const old = new Option(oldFlags, current.description).hideHelp();
  if (check) old.argParser((text: string) => check(old.long ?? old.flags, text));
  command.addOption(current).addOption(old);
  let used = false;
  // Runs after commander's own listener, which stored the old flag's value: it is moved over before
  // commander checks required flags, so a renamed required flag still counts as given.
  command.on(`option:${old.name()}`, () => {
    used = true;
    const value = command.getOptionValue(old.attributeName());
    command.setOptionValue(old.attributeName(), undefined);
    command.setOptionValueWithSource(current.attributeName(), value, "cli");
  });
  return command.hook("preAction", (_self, action) => {
    // A note for a person: not under -q, nor under --json, where stderr holds only a JSON error.
    const globals = action.optsWithGlobals();
    if (used && !globals.quiet && !globals.json && globals.jq === undefined)
      command.configureOutput().writeErr?.(`intg: ${old.long} is deprecated; use ${current.long}\n`);
  });
}
