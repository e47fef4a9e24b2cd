import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT_CODE_MEANINGS } from "../../src/cli/exit-codes.js";
import { VERSION } from "../../src/cli/version.js";
import { runCli, testDeps } from "../helpers/io.js";

const UNREACHABLE = "postgresql://postgres@127.0.0.1:1/none";

describe("the CLI frame", () => {
  it("prints the version without a database", async () => {
    const r = await runCli(["--version", "--db", UNREACHABLE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${VERSION}\n`);
    expect(r.deps.opened).toEqual([]);
  });

  it("shows help for every noun without opening the database", async () => {
    for (const noun of ["keys", "webhooks", "connections", "providers", "refs", "db"]) {
      const r = await runCli([noun, "--help", "--db", UNREACHABLE]);
      expect(r.code, noun).toBe(0);
      expect(r.stdout).toContain(`intg ${noun}`);
      expect(r.deps.opened).toEqual([]);
    }
  });

  it("prints the exit-code table from the design, as a table and as JSON", async () => {
    const table = await runCli(["help", "exit-codes"]);
    expect(table.code).toBe(0);
    for (const [code, meaning] of EXIT_CODE_MEANINGS)
      expect(table.stdout).toMatch(new RegExp(`^${code}\\t${meaning.replace(/[()]/g, "\\$&")}$`, "m"));
    const json = await runCli(["help", "exit-codes", "--json"]);
    // Each entry also lists its error codes (test/unit/errors.test.ts checks those).
    expect(JSON.parse(json.stdout)).toEqual(
      [
        { code: 0, meaning: "ok" },
        { code: 1, meaning: "the operation failed" },
        { code: 2, meaning: "usage error or invalid input (nothing was written)" },
        { code: 3, meaning: "a check failed: something is unhealthy" },
        { code: 4, meaning: "a credential is invalid, expired or revoked" },
        { code: 5, meaning: "not found" },
        { code: 6, meaning: "conflict (already exists, changed concurrently)" },
        { code: 8, meaning: "pending: migrations pending, degraded, still in a grace period" },
        { code: 130, meaning: "interrupted" },
      ].map((entry) => ({ ...entry, errors: expect.any(Array) })),
    );
  });

  it("`intg help <command>` shows that command's help", async () => {
    const r = await runCli(["help", "db", "status"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: intg db status");
    expect((await runCli(["help", "nope"])).code).toBe(2);
    // Commander's own `help` verb under a noun, as the help pages list it.
    const under = await runCli(["db", "help", "status"]);
    expect([under.code, under.stderr]).toEqual([0, ""]);
    expect(under.stdout).toContain("Usage: intg db status");
  });

  it("exits 2 with a one-line message and a hint on an unknown command or flag", async () => {
    const cmd = await runCli(["kyes"]);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toBe("intg: Unknown command 'kyes' (Did you mean keys?)\nRun 'intg --help' for usage.\n");
    const flag = await runCli(["db", "status", "--frobnicate"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr.split("\n")[0]).toBe("intg: Unknown option '--frobnicate'");
    expect(flag.deps.opened).toEqual([]);
  });

  it("asks for a subcommand when a noun is given alone (exit 2)", async () => {
    const r = await runCli(["db"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("A subcommand is required.");
  });

  it("prints errors as one JSON object on stderr under --json", async () => {
    const r = await runCli(["nope", "--json"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      error: { code: "USAGE", message: "Unknown command 'nope'", hint: "Run 'intg --help' for usage." },
    });
  });

  it("refuses an unsupported database URL as a usage error", async () => {
    const r = await runCli(["db", "status", "--db", "mysql://root@localhost/x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unsupported scheme "mysql:"');
  });

  it("shows a stack trace for an unexpected error only with INTG_DEBUG=1", async () => {
    // A directory where a SQLite file should be: the driver fails in a way intg did not foresee.
    const dir = mkdtempSync(join(tmpdir(), "intg-dir-"));
    const plain = await runCli(["db", "migrate", "--db", `file:${dir}`]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await runCli(["db", "migrate", "--db", `file:${dir}`], testDeps({ env: { INTG_DEBUG: "1" } }));
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});

describe("the README", () => {
  it("documents exactly the exit codes the CLI uses", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const rows = [...readme.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((m) => [Number(m[1]), m[2]]);
    expect(rows).toEqual(EXIT_CODE_MEANINGS.map(([c, m]) => [c, m]));
  });
});

describe("the command context", () => {
  it("opens the database once, on first use, and closes it", async () => {
    const { CommandContext } = await import("../../src/cli/context.js");
    const { tempSqlite } = await import("../helpers/databases.js");
    const { applyPendingMigrations } = await import("../../src/db/migrations.js");
    const temp = tempSqlite();
    try {
      const deps = testDeps();
      const ctx = new CommandContext(deps, { db: temp.url, json: false, color: false, quiet: false, yes: false });
      expect(deps.opened).toEqual([]);
      await applyPendingMigrations(ctx.target());
      const [a, b] = await Promise.all([ctx.db(), ctx.db()]);
      expect(a).toBe(b);
      expect(deps.opened).toHaveLength(1);
      expect(await a.sql.get(`SELECT COUNT(*) AS n FROM "ApiKey"`)).toEqual({ n: 0 });
      await ctx.close();
    } finally {
      await temp.dispose();
    }
  });
});

describe("loading only the noun on the command line", () => {
  it("finds the noun past global flags and their values, and after help", async () => {
    const { invokedNoun } = await import("../../src/cli/program.js");
    expect(invokedNoun(["keys", "list"])).toBe("keys");
    expect(invokedNoun(["--db", "file:x.db", "--json", "secrets", "status"])).toBe("secrets");
    expect(invokedNoun(["--db=file:x.db", "audit"])).toBe("audit");
    expect(invokedNoun(["help", "keys", "rotate"])).toBe("keys");
    expect(invokedNoun(["--version"])).toBeUndefined();
  });

  it("registers only the webhooks verb on the command line; help, a typo or no verb see them all", async () => {
    const { buildProgram } = await import("../../src/cli/program.js");
    const verbs = async (argv: string[]) => {
      const program = await buildProgram(testDeps(), () => undefined, undefined, argv);
      return program.commands.find((c) => c.name() === "webhooks")!.commands.map((c) => c.name());
    };
    const all = [
      "endpoints",
      "event-types",
      "send",
      "deliveries",
      "worker",
      "workers",
      "replay",
      "health",
      "transform",
      "verify",
      "listen",
      "export",
      "metrics",
      "prune",
    ];
    expect(await verbs(["webhooks", "worker", "--once"])).toEqual(["worker"]);
    expect(await verbs(["--db", "file:x.db", "--json", "webhooks", "endpoints", "list"])).toEqual(["endpoints"]);
    expect(await verbs(["help", "webhooks", "replay"])).toEqual(["replay"]);
    expect(await verbs(["webhooks", "--help"])).toEqual(all);
    expect(await verbs(["webhooks", "wroker"])).toEqual(all);
    expect((await runCli(["webhooks", "wroker"])).stderr).toContain("Did you mean worker?");
    const help = await runCli(["webhooks", "--help"]);
    for (const verb of all) expect(help.stdout).toMatch(new RegExp(`\\n  ${verb}`));
    const worker = await runCli(["webhooks", "worker", "--help"]);
    expect(worker.code).toBe(0);
    expect(worker.stdout).toContain("--concurrency <n>");
  });

  it("still lists every noun in the root help, and still suggests one for a typo", async () => {
    const help = await runCli(["--help"]);
    for (const noun of ["db", "keys", "secrets", "audit", "webhooks", "connections", "refs"])
      expect(help.stdout).toMatch(new RegExp(`\\n  ${noun} `));
    expect((await runCli(["secrest"])).stderr).toContain("Did you mean secrets?");
  });
});
