import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { checkJsonFields, declaredJsonFields, jsonFields, NO_FIELDS } from "../../src/cli/json-fields.js";
import { selectFields } from "../../src/cli/json-filter.js";
import { buildFullProgram } from "../../src/cli/program.js";
import { fieldsOf } from "../../src/types/fields.js";
import { API_KEY_CREATED_FIELDS, API_KEY_FIELDS } from "../../src/types/integration/api.fields.js";
import { examplesOf, helpText, shellWords, walk } from "../helpers/help-examples.js";
import { runCli, testDeps } from "../helpers/io.js";

// `--json a,b` names are checked against the fields each command declares, before its action runs:
// a name found wrong only when the result is printed comes after the write (`keys create --json
// nosuch` made a key, printed nothing and lost its secret). The tree tests below hold every command
// to it, so a new command cannot forget.

// Commander keeps whether a command runs anything private; a command with an action is one that runs.
const runs = (command: Command) => Boolean((command as unknown as { _actionHandler?: unknown })._actionHandler);

describe("every command declares the fields --json may select", () => {
  it("each command that runs declares its view's fields, or that it has none to select", async () => {
    const pages = walk(await buildFullProgram(testDeps())).filter(({ command }) => runs(command));
    expect(pages.length).toBeGreaterThan(90);
    const undeclared = pages.filter(({ command }) => declaredJsonFields(command) === undefined);
    expect(undeclared.map((p) => p.path.join(" "))).toEqual([]);
    for (const { path, command } of pages) {
      const fields = declaredJsonFields(command)!;
      if (fields === NO_FIELDS) continue;
      expect(fields.length, path.join(" ")).toBeGreaterThan(0);
      expect(new Set(fields).size, path.join(" ")).toBe(fields.length);
    }
  });

  it("refuses an unknown field in every help example before anything runs: exit 2, no database", async () => {
    const lines = walk(await buildFullProgram(testDeps())).flatMap(
      ({ command }) => examplesOf(helpText(command)) ?? [],
    );
    expect(lines.length).toBeGreaterThan(200);
    const problems: string[] = [];
    for (const line of new Set(lines)) {
      const words = shellWords(line).slice(1);
      if (words.includes("--help")) continue;
      const deps = testDeps({
        env: { HOME: "/nonexistent-home", INTG_ALLOW_PRIVATE_NETWORKS: "1" },
        openDatabase: () => Promise.reject(new Error("opened the database")),
      });
      const { code, stderr } = await runCli([...words, "--json", "nosuchfield"], deps);
      const error = (JSON.parse(stderr.split("\n")[0] || "{}") as { error?: { code?: string } }).error;
      if (code !== 2 || deps.opened.length > 0 || error?.code !== "INVALID_JSON_FIELD")
        problems.push(`${line}\n    exit ${code}, ${deps.opened.length} database(s) opened: ${stderr.trim()}`);
    }
    expect(problems).toEqual([]);
  });
});

describe("the check before the action", () => {
  const command = (fields?: readonly string[] | typeof NO_FIELDS) => {
    const c = new Command("x");
    return fields === undefined ? c : jsonFields(c, fields);
  };

  it("names the unknown fields and lists the declared ones, as the check on the output does", () => {
    const err = (() => {
      try {
        checkJsonFields(command(["id", "name", "key"]), ["id", "nmae", "kye"]);
      } catch (e) {
        return e as { code: string; message: string; hint: string };
      }
    })();
    expect(err).toMatchObject({ code: "INVALID_JSON_FIELD", message: 'Unknown JSON fields: "nmae", "kye".' });
    expect(err!.hint).toBe("Available fields:\n  id\n  key\n  name");
    expect(() => checkJsonFields(command(["id", "name"]), ["name", "id"])).not.toThrow();
  });

  it("refuses fields on output that has none, and leaves an undeclared command to its output", () => {
    expect(() => checkJsonFields(command(NO_FIELDS), ["id"])).toThrow("this command's output has no fields to select");
    expect(() => checkJsonFields(command(), ["anything"])).not.toThrow();
  });

  it("lets the output leave out a declared field (one of a union's members), and still refuses others", () => {
    expect(selectFields({ id: "k" }, ["id", "matched"], ["id", "matched"])).toEqual({ id: "k" });
    expect(() => selectFields({ id: "k" }, ["nope"], ["id", "matched"])).toThrow('Unknown JSON field: "nope".');
  });
});

describe("fieldsOf", () => {
  interface View {
    id: string;
    note?: string | null;
  }

  it("lists a view's fields in the order written; plus adds what an extending view adds", () => {
    const fields = fieldsOf<View>()({ id: true, note: true });
    expect(fields).toEqual(["id", "note"]);
    expect(fieldsOf<View & { key: string }>().plus(fields)({ key: true })).toEqual(["id", "note", "key"]);
    expect(Object.isFrozen(fields)).toBe(true);
    expect(API_KEY_CREATED_FIELDS).toEqual([...API_KEY_FIELDS, "key"]);
  });

  it("fails the type check when a field is missing or extra (checked by npm run typecheck)", () => {
    // @ts-expect-error note is missing
    fieldsOf<View>()({ id: true });
    // @ts-expect-error nope is no field of View
    fieldsOf<View>()({ id: true, note: true, nope: true });
    // @ts-expect-error key is missing from what plus adds
    fieldsOf<View & { key: string }>().plus(fieldsOf<View>()({ id: true, note: true }))({});
    // Every member of a union counts: valid is shared, the rest belong to one member each.
    expect(fieldsOf<{ valid: true; a: 1 } | { valid: false; b: 2 }>()({ valid: true, a: true, b: true })).toHaveLength(
      3,
    );
  });
});
