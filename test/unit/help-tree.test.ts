import { describe, expect, it } from "vitest";
import { buildFullProgram } from "../../src/cli/program.js";
import { examplesOf, exampleProblem, helpText, shellWords, walk } from "../helpers/help-examples.js";
import { runCli, testDeps } from "../helpers/io.js";

// Issue 15: every help page, the top level, each noun and each leaf, ends with examples that run
// as written. Each one is parsed against the whole command tree, actions replaced by no-ops.

const tree = async () => walk(await buildFullProgram(testDeps()));

describe("the command tree's help", () => {
  it("has an Examples section on every page", async () => {
    const pages = await tree();
    expect(pages.length).toBeGreaterThan(100);
    const missing = pages.filter(({ command }) => !examplesOf(helpText(command))?.length).map((p) => p.path.join(" "));
    expect(missing).toEqual([]);
  });

  it("has examples that all parse: known commands and options, every argument and required flag", async () => {
    const problems: string[] = [];
    for (const { command } of await tree())
      for (const line of examplesOf(helpText(command)) ?? []) {
        const problem = await exampleProblem(line);
        if (problem) problems.push(problem);
      }
    expect(problems).toEqual([]);
  });
});

describe("the example checker", () => {
  it("splits words as a shell does and stops at a pipe or redirection", () => {
    expect(shellWords(`intg a --x 'b c' "d \\"e\\"" f\\ g | jq .`)).toEqual([
      "intg",
      "a",
      "--x",
      "b c",
      'd "e"',
      "f g",
    ]);
    expect(shellWords("intg refs import --file - < refs.csv")).toEqual(["intg", "refs", "import", "--file", "-"]);
    expect(shellWords("intg keys list  # a comment")).toEqual(["intg", "keys", "list"]);
  });

  it("accepts a good example, --help and global flags anywhere", async () => {
    expect(await exampleProblem("intg keys create --name ci --expires-in 90d")).toBeUndefined();
    expect(await exampleProblem("intg keys list --json --db file:./intg.db")).toBeUndefined();
    expect(await exampleProblem("intg keys rotate --help")).toBeUndefined();
  });

  it("refuses a wrong flag or command, a missing argument or required flag, a line not for intg", async () => {
    expect(await exampleProblem("intg keys create --name ci --expire-in 90d")).toMatch(/unknown option '--expire-in'/);
    expect(await exampleProblem("intg keys lst")).toMatch(/unknown command 'lst'/);
    expect(await exampleProblem("intg keys show")).toMatch(/missing required argument 'id'/);
    expect(await exampleProblem("intg keys create --scopes read")).toMatch(/required option '--name <name>'/);
    expect(await exampleProblem("intg keys")).toMatch(/intg keys/);
    expect(await exampleProblem("gh keys list")).toMatch(/does not start with "intg "/);
    expect(await exampleProblem("intg connections list --env production")).toMatch(/--env is deprecated/);
  });

  it("finds a page without examples", () => {
    expect(examplesOf("Usage: intg x\n\nOptions:\n  -h, --help  display help\n")).toBeUndefined();
    expect(examplesOf("Usage: x\n\nExamples:\n  # one\n  intg x\n\n  # two\n  intg x --y\n")).toEqual([
      "intg x",
      "intg x --y",
    ]);
  });
});

describe("what the help shows", () => {
  it("lists keys rotate's own argument and --grace beside its status verb", async () => {
    const { stdout, code } = await runCli(["keys", "rotate", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: intg keys rotate [options] <id> | status <id>");
    expect(stdout).toMatch(/\n {2}--grace <duration> +how long the old key stays valid/);
    expect(stdout).toMatch(/\n {2}status <id> +Whether the old key was used/);
    expect(await exampleProblem("intg keys rotate key_01 --grace 1h")).toBeUndefined();
    expect(await exampleProblem("intg keys rotate status key_01")).toBeUndefined();
    expect(await exampleProblem("intg keys rotate status key_01 --grace 1h")).toMatch(/takes no --grace/);
  });

  it("marks a mandatory option (required), and only those", async () => {
    const { stdout } = await runCli(["keys", "create", "--help"]);
    expect(stdout).toMatch(/--name <name> +what the key is for \(required\)/);
    expect(stdout).not.toMatch(/--scopes[^\n]*\(required\)/);
  });
});
