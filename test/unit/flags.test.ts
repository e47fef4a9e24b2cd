import { Command, type Option } from "commander";
import { describe, expect, it } from "vitest";
import {
  addRenamedOption,
  dateOption,
  durationOption,
  enumListOption,
  enumOption,
  fromFileOption,
  KEY_ENVIRONMENTS,
  rateLimitOption,
  sinceOption,
} from "../../src/cli/flags.js";
import { parseRateFlag } from "../../src/cli/parse.js";
import { UsageError } from "../../src/errors.js";
import { DeliveryStatus, TokenType } from "../../src/types/enums.js";

/** A program with the global -q and one `run` command holding `options`; returns what the action saw. */
async function parse(options: Option[], argv: string[], setup?: (run: Command) => void) {
  const stderr: string[] = [];
  const output = { writeOut: () => undefined, writeErr: (s: string) => void stderr.push(s), outputError: () => {} };
  const program = new Command("intg").option("-q, --quiet", "", false).exitOverride().configureOutput(output);
  const run = program.command("run").exitOverride().configureOutput(output);
  for (const option of options) run.addOption(option);
  setup?.(run);
  let seen: Record<string, unknown> | undefined;
  run.action((flags: Record<string, unknown>) => void (seen = flags));
  await program.parseAsync(argv, { from: "user" });
  return { flags: seen!, stderr: stderr.join(""), help: run.helpInformation() };
}

describe("shared flags", () => {
  it("durations and dates: checked as read, kept as given, defaults shown as written", async () => {
    const timeout = () => durationOption("--timeout <duration>", "how long", "5s");
    expect((await parse([timeout()], ["run"])).flags.timeout).toBe("5s");
    expect((await parse([timeout()], ["run", "--timeout", "1h30m"])).flags.timeout).toBe("1h30m");
    await expect(parse([timeout()], ["run", "--timeout", "soon"])).rejects.toThrow(
      /--timeout: "soon" is not a duration/,
    );
    await expect(parse([timeout()], ["run", "--timeout", "1000000w"])).rejects.toThrow(/100 years/);
    const at = () => dateOption("--expires-at <iso>", "when");
    expect((await parse([at()], ["run", "--expires-at", "2027-01-31"])).flags.expiresAt).toBe("2027-01-31");
    await expect(parse([at()], ["run", "--expires-at", "Jan 31"])).rejects.toBeInstanceOf(UsageError);
  });

  it("--since takes a duration or a date everywhere, and nothing else", async () => {
    for (const text of ["24h", "7d", "2026-12-01", "2026-12-01T12:00:00Z"])
      expect((await parse([sinceOption("only since")], ["run", "--since", text])).flags.since).toBe(text);
    expect((await parse([sinceOption("the window", "30d")], ["run"])).flags.since).toBe("30d");
    await expect(parse([sinceOption("x")], ["run", "--since", "yesterday"])).rejects.toThrow(
      /--since: "yesterday" is not a duration or a date/,
    );
  });

  it("rates: 50/s, 3000/m and 120/h in both units; a bare number counts in the flag's unit", () => {
    expect(parseRateFlag("--rate-limit", "50/s", "minute")).toBe(3000);
    expect(parseRateFlag("--rate-limit", "3000/m", "second")).toBe(50);
    expect(parseRateFlag("--rate-limit", "120/h", "minute")).toBe(2);
    expect(parseRateFlag("--rate-limit", "100", "minute")).toBe(100);
    expect(parseRateFlag("--rate-limit", "100", "second")).toBe(100);
    // Whole requests per unit: 90/m was stored as 1/s, rounded down without a word.
    expect(() => parseRateFlag("--rate-limit", "90/m", "second")).toThrow(
      '--rate-limit: "90/m" is 1.5 per second, not a whole number; nothing was written.',
    );
    expect(() => parseRateFlag("--rate-limit", "100/h", "minute")).toThrow(/1\.667 per minute, not a whole number/);
    expect(() => parseRateFlag("--rate-limit", "170/m", "second", 3)).toThrow(/2.833 per second/);
    for (const [text, unit] of [
      ["fast", "minute"],
      ["50/m", "second"],
      ["30/h", "minute"],
      ["1.5/s", "second"],
      ["0/s", "minute"],
      ["5/fortnight", "minute"],
    ] as const)
      expect(() => parseRateFlag("--rate-limit", text, unit), text).toThrow(/not a rate/);
    expect(() => parseRateFlag("--rate-limit", "100001/s", "second", 100_000)).toThrow(UsageError);
  });

  it("--rate-limit checks as read; its keyword passes", async () => {
    const rate = () => rateLimitOption("requests", { unit: "minute", keyword: "default" });
    expect((await parse([rate()], ["run", "--rate-limit", "50/s"])).flags.rateLimit).toBe("50/s");
    expect((await parse([rate()], ["run", "--rate-limit", "default"])).flags.rateLimit).toBe("default");
    await expect(parse([rate()], ["run", "--rate-limit", "many"])).rejects.toThrow(/not a rate/);
  });

  it("enums: either case, - for _, the enum's own value kept; help and completion list lower case", async () => {
    const type = () => enumOption("--type <type>", "what kind", TokenType);
    for (const text of ["api_key", "API_KEY", "Api-Key"])
      expect((await parse([type()], ["run", "--type", text])).flags.type).toBe("API_KEY");
    expect(type().argChoices).toContain("webhook_signing_secret");
    expect((await parse([type()], ["run"])).help).toContain('"api_key"');
    const bad = parse([type()], ["run", "--type", "bogus"]);
    await expect(bad).rejects.toBeInstanceOf(UsageError);
    await expect(bad).rejects.toThrow(/--type: unknown value "bogus"/);
    const env = () => enumOption("--env <env>", "live or test", KEY_ENVIRONMENTS);
    expect((await parse([env()], ["run", "--env", "LIVE"])).flags.env).toBe("live");
    const own = () => enumOption("--x <x>", "", ["a", "b"], () => "A");
    expect((await parse([own()], ["run", "--x", "z"])).flags.x).toBe("A"); // a command's own parser decides
  });

  it("enum lists: each value checked, the text kept for the command to read", async () => {
    const status = () => enumListOption("--status <s,...>", "states", DeliveryStatus);
    expect((await parse([status()], ["run", "--status", "failed,DELIVERED"])).flags.status).toBe("failed,DELIVERED");
    expect(status().argChoices).toEqual(Object.values(DeliveryStatus).map((s) => s.toLowerCase()));
    await expect(parse([status()], ["run", "--status", "failed,lost"])).rejects.toThrow(/unknown value "lost"/);
  });
});

describe("renamed flags", () => {
  const renamed = (run: Command) => {
    addRenamedOption(run, fromFileOption("the credential"), "--credential-file <path>");
    addRenamedOption(
      run,
      enumOption("--environment <e>", "where", ["production", "staging"]).makeOptionMandatory(),
      "--env <e>",
    );
  };

  it("the old name works the same, hidden from help, with one note on stderr", async () => {
    const r = await parse([], ["run", "--credential-file", "a.txt", "--env", "STAGING"], renamed);
    expect(r.flags).toMatchObject({ fromFile: "a.txt", environment: "staging" });
    expect(r.flags.credentialFile).toBeUndefined();
    expect(r.stderr).toBe(
      "intg: --credential-file is deprecated; use --from-file\nintg: --env is deprecated; use --environment\n",
    );
    expect(r.help).toContain("--from-file");
    expect(r.help).not.toContain("--credential-file");
    expect(r.help).not.toMatch(/--env\b/);
  });

  it("the new name prints nothing; -q silences the note; the old name is checked under its own name", async () => {
    const current = await parse([], ["run", "--from-file", "a.txt", "--environment", "production"], renamed);
    expect([current.flags.fromFile, current.stderr]).toEqual(["a.txt", ""]);
    const quiet = await parse([], ["-q", "run", "--env", "production", "--credential-file", "b"], renamed);
    expect([quiet.flags.environment, quiet.flags.fromFile, quiet.stderr]).toEqual(["production", "b", ""]);
    await expect(parse([], ["run", "--env", "prod"], renamed)).rejects.toThrow(/^--env: unknown value "prod"/);
    // A required flag given by its old name counts as given; given by neither, commander names the new one.
    await expect(parse([], ["run"], renamed)).rejects.toThrow(/--environment/);
  });
});
