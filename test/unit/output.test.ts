import { Command } from "commander";
import { describe, expect, it } from "vitest";
import type { GlobalOptions } from "../../src/cli/deps.js";
import { moveJsonValue, placeJsonValue } from "../../src/cli/json-flag.js";
import { loadJqFilter, parseJsonFields, selectFields } from "../../src/cli/json-filter.js";
import { Output, terminalWidth } from "../../src/cli/output.js";
import { waitStatus } from "../../src/cli/wait-status.js";
import { IntgError, UsageError } from "../../src/errors.js";
import { RateLimiter } from "../../src/lib/rate-limit.js";
import { createTestIO, testDeps } from "../helpers/io.js";

const globals = (over: Partial<GlobalOptions> = {}): GlobalOptions => ({
  json: false,
  color: true,
  quiet: false,
  yes: false,
  ...over,
});

describe("modes", () => {
  const say = (out: Output) => {
    out.print("result");
    out.info("note");
    out.success("done");
    out.warn("careful");
  };

  it("prints everything by default; -q leaves the result; --json drops the ✓ line", () => {
    for (const [over, stderr] of [
      [{}, "note\n✓ done\nwarning: careful\n"],
      [{ quiet: true }, ""],
      [{ json: true }, "note\nwarning: careful\n"],
    ] as const) {
      const io = createTestIO();
      say(new Output(io, {}, globals(over)));
      expect(io.out(), JSON.stringify(over)).toBe("result\n");
      expect(io.err(), JSON.stringify(over)).toBe(stderr);
    }
  });

  it("fits tables to COLUMNS, else the terminal's width, else 80", () => {
    const io = { ...createTestIO({ stdoutIsTTY: true }), columns: 50 };
    expect(terminalWidth(io, {})).toBe(50);
    expect(terminalWidth(io, { COLUMNS: "120" })).toBe(120);
    expect(terminalWidth(io, { COLUMNS: "wide" })).toBe(50);
    expect(terminalWidth(createTestIO(), {})).toBe(80);
  });
});

describe("--json fields", () => {
  const keys = [
    { id: "key_1", name: "a", status: "ACTIVE" },
    { id: "key_2", name: "b", status: "REVOKED", revokedAt: "2026-01-01" },
  ];

  it("keeps the named fields of an object, or of each object of an array, in the order asked", () => {
    expect(selectFields(keys, ["status", "id"])).toEqual([
      { status: "ACTIVE", id: "key_1" },
      { status: "REVOKED", id: "key_2" },
    ]);
    expect(selectFields(keys[1], ["revokedAt"])).toEqual({ revokedAt: "2026-01-01" });
    expect(selectFields(keys, ["revokedAt"])).toEqual([{}, { revokedAt: "2026-01-01" }]);
    expect(selectFields([], ["anything"])).toEqual([]);
  });

  it("refuses an unknown field with exit 2's error, listing the fields there are", () => {
    const err = (() => {
      try {
        selectFields(keys, ["id", "nmae"]);
      } catch (e) {
        return e as UsageError;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toMatchObject({ code: "INVALID_JSON_FIELD", message: 'Unknown JSON field: "nmae".' });
    expect(err!.hint).toBe("Available fields:\n  id\n  name\n  revokedAt\n  status");
    expect(() => selectFields("text", ["id"])).toThrow(UsageError);
  });

  it("checks the list's shape", () => {
    expect(parseJsonFields("id, name,id")).toEqual(["id", "name"]);
    for (const bad of ["", ",", "id;drop", "a-b"]) expect(() => parseJsonFields(bad), bad).toThrow(UsageError);
  });

  it("reads the word after --json as fields only when it looks like them and is no subcommand", () => {
    const program = new Command("intg");
    program.command("keys").command("list");
    const at = (argv: string[]) => placeJsonValue(argv, program);
    expect(at(["keys", "list", "--json", "id,name"])).toEqual(["keys", "list", "--json", "id,name"]);
    expect(at(["keys", "show", "--json", "key_01J"])).toEqual(["keys", "show", "key_01J", "--json"]);
    expect(at(["--json", "keys", "list"])).toEqual(["keys", "list", "--json"]);
    expect(at(["keys", "list", "--json", "--quiet"])).toEqual(["keys", "list", "--json", "--quiet"]);
    expect(moveJsonValue(["secrets", "show", "--json", "db"])).toEqual(["secrets", "show", "db", "--json"]);
    expect(moveJsonValue(["keys", "list", "--json"])).toBeUndefined();
  });
});

describe("--jq", () => {
  const data = JSON.stringify([
    { id: "key_1", status: "ACTIVE" },
    { id: "key_2", status: "REVOKED" },
  ]);

  it("runs jq's common filters, printing strings raw; indented on a terminal, compact in a pipe", async () => {
    const run = async (expr: string, pretty = false) => (await loadJqFilter(expr, pretty)).run(data).output;
    expect(await run('.[] | select(.status=="ACTIVE") | .id')).toBe("key_1\n");
    expect(await run("map(.id)")).toBe('["key_1","key_2"]\n');
    expect(await run("map(.id)", true)).toBe('[\n  "key_1",\n  "key_2"\n]\n');
    expect(await run("length")).toBe("2\n");
    expect(await run('.[] | select(.status == "GONE")')).toBe("");
  });

  it("refuses a filter that does not compile before anything runs, and reports one that fails", async () => {
    await expect(loadJqFilter(".[", false)).rejects.toMatchObject({ code: "INVALID_JQ", kind: "usage" });
    const failed = (await loadJqFilter('.[0].id, error("boom")', false)).run(data);
    expect(failed.output).toBe("key_1\n");
    expect(failed.error).toBeInstanceOf(IntgError);
    expect(failed.error).toMatchObject({ code: "JQ_ERROR", kind: "failure" });
    expect(failed.error!.message).toContain("boom");
  });

  it("filters what printJson and printNdjson print, after the field selection", async () => {
    const io = createTestIO();
    const jq = await loadJqFilter(".[] | keys", false);
    new Output(io, {}, globals({ json: true, jsonFields: ["id"] }), undefined, { jq }).printJson(JSON.parse(data));
    expect(io.out()).toBe('["id"]\n["id"]\n');
    const lines = createTestIO();
    const each = await loadJqFilter(".status", false);
    const out = new Output(lines, {}, globals({ json: true }), undefined, { jq: each });
    for (const row of JSON.parse(data)) out.printNdjson(row);
    expect(lines.out()).toBe("ACTIVE\nREVOKED\n");
  });
});

describe("waits", () => {
  it("show a status line on a terminal's stderr for waits over a second, cleared when done", () => {
    const io = createTestIO({ stderrIsTTY: true });
    const onWait = waitStatus(testDeps({ io }), globals())!;
    expect(onWait({ reason: "Waiting for conn_1's rate limit", ms: 800 })).toBeUndefined();
    expect(io.err()).toBe("");
    const done = onWait({ reason: "Waiting for conn_1's rate limit", ms: 2500 });
    expect(io.err()).toMatch(/^\r\x1b\[2KWaiting for conn_1's rate limit until \d\d:\d\d:\d\d \(3s\)…$/);
    done!();
    expect(io.err().endsWith("\r\x1b[2K")).toBe(true);
  });

  it("show nothing off a terminal or under -q", () => {
    expect(waitStatus(testDeps(), globals())).toBeUndefined();
    const tty = createTestIO({ stderrIsTTY: true });
    expect(waitStatus(testDeps({ io: tty }), globals({ quiet: true }))).toBeUndefined();
  });

  it("are reported by the rate limiter before it sleeps, and ended after", async () => {
    const limiter = new RateLimiter(60_000, () => 0); // 1 ms apart: a burst of 1000, then waits
    const heard: string[] = [];
    for (let i = 0; i < 1000; i++) await limiter.acquire(() => void heard.push("early"));
    expect(heard).toEqual([]);
    await limiter.acquire((ms) => {
      heard.push(`wait ${ms}`);
      return () => heard.push("done");
    });
    expect(heard).toEqual(["wait 1", "done"]);
  });
});
