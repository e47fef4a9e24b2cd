import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";

const COMMANDS = fileURLToPath(new URL("../../src/commands/", import.meta.url));

// Issue 14: a verb lives in a file named for it (`keys show` in keys/show.ts), and a group of
// verbs in a folder named for it, registered by its index.ts (webhooks/endpoints/index.ts). So
// every `.command("<word> …")` (or `new Command("<word>")`) must name its own file, or, in an
// index.ts, its folder; a name that is not a literal cannot be checked, so it fails too.

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

/** The first argument of each `x.command(…)` and `new Command(…)` in a source file. */
function commandNames(path: string): Array<{ line: number; arg: ts.Expression | undefined }> {
  const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
  const found: Array<{ line: number; arg: ts.Expression | undefined }> = [];
  const visit = (node: ts.Node): void => {
    const isCommandCall =
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === "command";
    const isNewCommand =
      ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "Command";
    if (isCommandCall || isNewCommand) {
      const arg = node.arguments?.[0];
      const line = source.getLineAndCharacterOfPosition((arg ?? node).getStart()).line + 1;
      found.push({ line, arg });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every command registered outside the file (or, for index.ts, the folder) named for it. */
function misplacedCommands(root: string): string[] {
  const problems: string[] = [];
  for (const path of files(root)) {
    const file = relative(root, path);
    const base = basename(path, ".ts");
    const owner = base === "index" ? basename(dirname(path)) : base;
    for (const { line, arg } of commandNames(path)) {
      const at = `${file}:${line}`;
      if (!arg || !(ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))) {
        problems.push(`${at}: the command's name is not a literal string`);
        continue;
      }
      const word = arg.text.trim().split(/\s+/)[0];
      if (word !== owner) problems.push(`${at}: "${word}" is registered in a file named for "${owner}"`);
    }
  }
  return problems;
}

describe("command files", () => {
  it("define each verb in a file named for it, each group in a folder named for it", () => {
    expect(misplacedCommands(COMMANDS)).toEqual([]);
  });

  it("are read from the sources (a broken reader would find nothing to complain about)", () => {
    const names = files(COMMANDS).flatMap((p) => commandNames(p));
    expect(names.length).toBeGreaterThan(80);
  });

  describe("the check itself", () => {
    const root = mkdtempSync(join(tmpdir(), "intg-command-files-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const write = (file: string, text: string) => {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    };

    it("finds a verb in another verb's file, a group outside its folder, and a name built at run time", () => {
      // The shapes the layout had before issue 14: `keys show` in keys/list.ts, refs' groups in
      // refs/index.ts, and enable/disable registered in one loop.
      write("keys/list.ts", 'keys.command("list").alias("ls");\nkeys\n  .command("show <id>")\n');
      write("refs/index.ts", 'refs.command("mappings");\n');
      write("webhooks/endpoints/state.ts", 'endpoints.command(enabled ? "enable <id>" : "disable <id>");\n');
      write("keys/rotate/index.ts", 'keys.command("rotate");\n');
      write("keys/rotate/status.ts", 'rotate.command(`status <id>`);\nconst c = new Command("other");\n');
      expect(misplacedCommands(root).sort()).toEqual([
        'keys/list.ts:3: "show" is registered in a file named for "list"',
        'keys/rotate/status.ts:2: "other" is registered in a file named for "status"',
        'refs/index.ts:1: "mappings" is registered in a file named for "refs"',
        "webhooks/endpoints/state.ts:1: the command's name is not a literal string",
      ]);
    });
  });
});
