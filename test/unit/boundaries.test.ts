import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

// The layers of docs/architecture.md, held by the import graph: errors live below every layer,
// services never know the CLI, lib never knows the domain, and commands never hold a database.
const RULES: Array<{ from: string; to: string; why: string }> = [
  { from: "services/", to: "cli/", why: "services know nothing of argv, terminals or exit codes" },
  { from: "services/", to: "commands/", why: "services are called by commands, not the other way" },
  { from: "lib/", to: "services/", why: "lib holds small pure pieces below the domain" },
  { from: "lib/", to: "cli/", why: "lib sits below the CLI" },
  { from: "lib/", to: "commands/", why: "lib sits below the CLI" },
  { from: "db/", to: "cli/", why: "the data layer sits below the CLI" },
  { from: "db/", to: "services/", why: "the data layer sits below the services" },
  { from: "commands/", to: "db/", why: "commands never hold a database handle: they call services" },
  { from: "errors.ts", to: "", why: "errors live below every layer and import nothing of the project" },
];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : files(p);
    return /\.(ts|cts|mts)$/.test(e.name) ? [p] : [];
  });
}

/** Every project-internal import of every source file, as paths relative to src/. */
function importGraph(): Array<{ file: string; target: string }> {
  const edges: Array<{ file: string; target: string }> = [];
  for (const path of files(SRC)) {
    const info = ts.preProcessFile(readFileSync(path, "utf8"), true, true);
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith(".")) continue;
      const target = relative(SRC, resolve(dirname(path), ref.fileName)).replace(/\.js$/, ".ts");
      edges.push({ file: relative(SRC, path), target });
    }
  }
  return edges;
}

describe("the import graph", () => {
  const edges = importGraph();

  it("is read from the sources (a broken reader would pass every rule)", () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ file: "main.ts", target: expect.stringMatching(/^cli\//) });
  });

  it.each(RULES)("$from does not import $to: $why", ({ from, to }) => {
    const broken = edges
      .filter((e) => e.file.startsWith(from) && !e.target.startsWith("..") && e.target.startsWith(to))
      .filter((e) => !(from === "errors.ts" && e.target.startsWith("errors")))
      .map((e) => `${e.file} -> ${e.target}`);
    expect(broken).toEqual([]);
  });
});
