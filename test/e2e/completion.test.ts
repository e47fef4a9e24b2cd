import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Argument, Command, Option } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bashScript } from "../../src/cli/completion/bash.js";
import { fishScript } from "../../src/cli/completion/fish.js";
import { completionTree } from "../../src/cli/completion/tree.js";
import { zshScript } from "../../src/cli/completion/zsh.js";
import { bashComplete, fishComplete, zshComplete } from "../helpers/completion-shells.js";
import { tempDir } from "../helpers/databases.js";
import { BIN, intg } from "../helpers/spawn.js";

// The scripts come from the built intg and run in the real shells (.ci/run installs zsh and fish).
const dir = tempDir("intg-completion-");
afterAll(() => dir.dispose());

/** Writes `text` as `name` in a folder of its own (zsh autoloads `_intg` from a folder on $fpath). */
function install(name: string, text: string): string {
  const folder = join(dir.path, `${name}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(folder);
  writeFileSync(join(folder, name), text);
  return join(folder, name);
}

async function generated(shell: string): Promise<string> {
  const r = await intg(["completion", shell]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe("");
  return r.stdout;
}

/** The names under "Commands:" in a help page: what completion must offer after that command. */
function helpCommands(help: string): string[] {
  const section = help.split("\nCommands:\n")[1]?.split("\n\n")[0] ?? "";
  return section
    .split("\n")
    .flatMap((line) => /^ {2}(\S+)/.exec(line)?.[1] ?? [])
    .map((name) => name.split("|")[0]!);
}

describe("intg completion bash", () => {
  let script: string;
  beforeAll(async () => {
    script = install("intg", await generated("bash"));
  });

  it("completes nouns, verbs, flags, global flags and the shells", () => {
    expect(bashComplete(script, ["intg", "we"])).toEqual(["webhooks"]);
    expect(bashComplete(script, ["intg", "webhooks", "endpoints", "create", "--ch"])).toEqual(["--channel"]);
    expect(bashComplete(script, ["intg", "completion", ""])).toEqual(["bash", "zsh", "fish"]);
    expect(bashComplete(script, ["intg", "completion", "f"])).toEqual(["fish"]);
    // A global flag after the verb; --db's value is not taken for a noun.
    expect(bashComplete(script, ["intg", "keys", "ls", "--js"])).toEqual(["--json"]);
    expect(bashComplete(script, ["intg", "--db", "webhooks", "ke"])).toEqual(["keys"]);
    expect(bashComplete(script, ["intg", "--db", "=", "x.db", "keys", "rot"])).toEqual(["rotate"]);
    // bash splits file:x.db at ':' too (COMP_WORDBREAKS): the pieces are not commands.
    expect(bashComplete(script, ["intg", "--db", "file", ":", "x.db", "keys", "rot"])).toEqual(["rotate"]);
  });

  it("offers every command that help lists, for the program and every noun", async () => {
    const top = await intg(["--help"]);
    const nouns = helpCommands(top.stdout);
    expect(nouns).toEqual(expect.arrayContaining(["keys", "webhooks", "completion"]));
    expect(bashComplete(script, ["intg", ""])).toEqual(nouns);
    // help, completion and doctor are commands themselves, with no verbs under them.
    for (const noun of nouns.filter((n) => !["help", "completion", "doctor"].includes(n))) {
      const verbs = helpCommands((await intg([noun, "--help"])).stdout);
      expect(verbs.length, noun).toBeGreaterThan(1);
      expect(bashComplete(script, ["intg", noun, ""]), noun).toEqual(verbs);
    }
  });

  it("leaves hidden commands and options out, and leaves a free value to bash's file names", () => {
    expect(bashComplete(script, ["intg", "keys", "rotate", ""])).not.toContain("key");
    expect(bashComplete(script, ["intg", "keys", "verify", "--"])).toContain("--key-file");
    expect(bashComplete(script, ["intg", "keys", "verify", "--"])).not.toContain("--key");
    expect(bashComplete(script, ["intg", "keys", "verify", "--key-file", ""])).toEqual([]);
  });
});

describe("intg completion zsh", () => {
  let text: string;
  beforeAll(async () => {
    text = await generated("zsh");
    expect(text.startsWith("#compdef intg\n")).toBe(true);
  });

  it.each(["fpath", "source"] as const)("completes when installed by %s", (mode) => {
    const script = install("_intg", text);
    expect(zshComplete(script, ["intg", "we"], mode)).toEqual(["webhooks"]);
    expect(zshComplete(script, ["intg", "webhooks", "endpoints", "create", "--ch"], mode)).toEqual(["--channel"]);
    expect(zshComplete(script, ["intg", "completion", ""], mode)).toEqual(["bash", "zsh", "fish"]);
    expect(zshComplete(script, ["intg", "keys", "verify", "--key-file", ""], mode)).toEqual(["<files>"]);
  });
});

describe("intg completion fish", () => {
  let text: string;
  beforeAll(async () => {
    text = await generated("fish");
  });

  it("completes when sourced, with file names only for a free value", () => {
    const script = install("intg.fish", text);
    expect(fishComplete(script, "intg we")).toEqual(["webhooks"]);
    expect(fishComplete(script, "intg webhooks endpoints create --ch")).toEqual(["--channel"]);
    expect(fishComplete(script, "intg completion ")).toEqual(["bash", "fish", "zsh"]);
    expect(fishComplete(script, "intg keys ls --js")).toEqual(["--json"]);
    writeFileSync(join(dir.path, "creds.json"), "{}");
    expect(fishComplete(script, `intg keys verify --key-file ${dir.path}/cre`)).toEqual([`${dir.path}/creds.json`]);
    expect(fishComplete(script, `intg keys ${dir.path}/cre`)).toEqual([]);
  });

  it("is found in fish's completions directory once intg is on PATH", () => {
    const home = join(dir.path, "fish-home");
    mkdirSync(join(home, "fish", "completions"), { recursive: true });
    mkdirSync(join(home, "bin"));
    writeFileSync(join(home, "fish", "completions", "intg.fish"), text);
    symlinkSync(BIN, join(home, "bin", "intg"));
    const env = { HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: join(home, "data") };
    const path = `${join(home, "bin")}:${process.env.PATH}`;
    expect(fishComplete(null, "intg we", { ...env, PATH: path })).toEqual(["webhooks"]);
  });
});

describe("enum values declared with .choices()", () => {
  // The same generators over a tree that declares choices on options, as the flag vocabulary will.
  // A description that a shell would run, were it not quoted: no script may create the file.
  const pwned = join(dir.path, "pwned");
  const hostile = `it's $(touch ${pwned}) \`touch ${pwned}\` \\ "; touch ${pwned}`;
  const program = new Command("intg")
    .addOption(new Option("--mode <when>", "colour").choices(["auto", "never"]))
    .helpCommand(false);
  const hooks = program.command("hooks");
  hooks
    .command("create")
    .addOption(new Option("--channel <channel>", hostile).choices(["http", "slack", "discord"]))
    .option("--url <url>", "target");
  hooks.command("list").alias("ls").addOption(new Option("--secret").hideHelp());
  hooks.command("send").addArgument(new Argument("<types...>").choices(["a.b", "c.d"]));
  program.command("internal", { hidden: true });
  const tree = completionTree(program);

  it("bash offers them after the flag, after `=`, for a global flag and for every variadic argument", () => {
    const script = install("intg", bashScript(tree));
    expect(bashComplete(script, ["intg", "hooks", "create", "--channel", ""])).toEqual(["http", "slack", "discord"]);
    expect(bashComplete(script, ["intg", "hooks", "create", "--channel", "=", "sl"])).toEqual(["slack"]);
    expect(bashComplete(script, ["intg", "hooks", "create", "--channel", "="])).toEqual(["http", "slack", "discord"]);
    expect(bashComplete(script, ["intg", "hooks", "ls", "--mode", ""])).toEqual(["auto", "never"]);
    expect(bashComplete(script, ["intg", "hooks", "send", "a.b", "c.d", ""])).toEqual(["a.b", "c.d"]);
    expect(bashComplete(script, ["intg", "hooks", "create", "--url", ""])).toEqual([]);
    expect(bashComplete(script, ["intg", ""])).toEqual(["hooks"]);
    expect(bashComplete(script, ["intg", "hooks", "ls", "--"])).toEqual(["--help", "--mode"]);
    expect(existsSync(pwned)).toBe(false);
  });

  it("zsh offers them, `--flag=value` included", () => {
    const script = install("_intg", zshScript(tree));
    expect(zshComplete(script, ["intg", "hooks", "create", "--channel", ""], "source")).toEqual([
      "http",
      "slack",
      "discord",
    ]);
    expect(zshComplete(script, ["intg", "hooks", "create", "--channel=sl"], "source")).toEqual(["slack"]);
    expect(zshComplete(script, ["intg", "hooks", "ls", "--mode", "n"], "fpath")).toEqual(["never"]);
    expect(zshComplete(script, ["intg", "hooks", "ls", "--"], "fpath")).toEqual(["--help", "--mode"]);
    expect(zshComplete(script, ["intg", "hooks", "create", "--c"], "fpath")).toEqual(["--channel"]);
    expect(existsSync(pwned)).toBe(false);
  });

  it("fish offers them, `--flag=value` included", () => {
    const script = install("intg.fish", fishScript(tree));
    expect(fishComplete(script, "intg hooks create --channel ")).toEqual(["discord", "http", "slack"]);
    expect(fishComplete(script, "intg hooks create --channel=sl")).toEqual(["--channel=slack"]);
    expect(fishComplete(script, "intg hooks ls --mode a")).toEqual(["auto"]);
    expect(fishComplete(script, "intg hooks send a.b ")).toEqual(["a.b", "c.d"]);
    expect(fishComplete(script, "intg ")).toEqual(["hooks"]);
    expect(
      execFileSync("fish", ["--no-config", "-c", `source ${script}; complete -C "intg hooks create --c"`], {
        encoding: "utf8",
      }),
    ).toBe(`--channel\t${hostile}\n`);
    expect(existsSync(pwned)).toBe(false);
  });
});

describe("intg completion, bad input and --json", () => {
  it("exits 2 naming the shells it knows, printing nothing on stdout", async () => {
    for (const args of [["completion", "powershell"], ["completion"]]) {
      const r = await intg(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
    }
    expect((await intg(["completion", "powershell"])).stderr).toContain("bash, zsh, fish");
  });

  it("prints the shell and the script under --json", async () => {
    const r = await intg(["completion", "fish", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { shell: string; script: string };
    expect(out.shell).toBe("fish");
    expect(out.script).toBe(await generated("fish"));
  });
});
