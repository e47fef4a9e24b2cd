import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROVIDERS } from "../helpers/databases.js";
import { seededBin } from "../helpers/ref-fixtures.js";
import { BIN } from "../helpers/spawn.js";

describe.each(PROVIDERS)("intg refs through bin/intg on %s", (provider) => {
  const { run, setup, dispose, home: homePath, env } = seededBin(provider);
  const json = async (args: string[], input?: string) => {
    const r = await run([...args, "--json"], input);
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout);
  };
  beforeAll(setup);
  afterAll(dispose);

  it("links, shows, lists, looks up, unlinks, and keeps the history", async () => {
    const ref = await json([
      "refs",
      "link",
      "--entity",
      "user:42",
      "--connection",
      "conn_hubspot",
      "--external",
      "contact:901",
      "--meta",
      "owner=ana",
    ]);
    expect(ref).toMatchObject({
      id: expect.stringMatching(/^ref_/),
      entityType: "user",
      entityId: "42",
      externalType: "contact",
      externalId: "901",
      metadata: { owner: "ana" },
    });
    await json(["refs", "link", "--entity", "user:42", "--connection", "salesforce", "--external", "lead:L-1"]);
    expect(await json(["refs", "show", ref.id])).toEqual(ref);
    expect((await json(["refs", "list", "--connection", "conn_hubspot"])).map((r: { id: string }) => r.id)).toEqual([
      ref.id,
    ]);
    const human = await run(["refs", "list"]);
    expect(human.stdout).toContain("user:42");
    expect(human.stdout).toContain("lead:L-1");
    const lookup = await json(["refs", "lookup", "--external", "conn_hubspot:contact:901"]);
    expect(lookup.references.map((r: { provider: { slug: string } }) => r.provider.slug)).toEqual([
      "hubspot",
      "salesforce",
    ]);
    expect((await json(["refs", "lookup", "--entity", "user:42"])).references).toHaveLength(2);

    const conflict = await run([
      "refs",
      "link",
      "--entity",
      "user:43",
      "--connection",
      "conn_hubspot",
      "--external",
      "contact:901",
    ]);
    expect(conflict.code).toBe(6);
    expect(conflict.stderr).toContain(`already linked to user:42 by ${ref.id}`);

    expect((await run(["refs", "unlink", ref.id])).code).toBe(2); // not interactive: needs --yes
    expect((await run(["refs", "unlink", ref.id, "--yes"])).code).toBe(0);
    expect((await run(["refs", "show", ref.id])).code).toBe(5);
    const history = await json(["refs", "history", ref.id]);
    expect(history.map((h: { action: string; actor: string }) => `${h.action}/${h.actor}`)).toEqual([
      "link/e2e",
      "unlink/e2e",
    ]);
    expect((await run(["refs", "lookup", "--external", "conn_hubspot:contact:901"])).code).toBe(5);
    const audit = await json(["audit", "list", "--target", ref.id]);
    expect(audit.map((e: { action: string }) => e.action).sort()).toEqual(["reference.link", "reference.unlink"]);
    expect((await run(["audit", "verify"])).code).toBe(0);
  });

  it("unlinks and looks up by connection name and external record", async () => {
    const ref = await json([
      "refs",
      "link",
      "--entity",
      "team:7",
      "--connection",
      "hubspot",
      "--external",
      "company:C7",
    ]);
    expect(
      (await json(["refs", "lookup", "--connection", "hubspot", "--external", "company:C7"])).references.map(
        (r: { id: string }) => r.id,
      ),
    ).toEqual([ref.id]);
    expect(await json(["refs", "unlink", "--connection", "hubspot", "--external", "company:C7", "--dry-run"])).toEqual(
      ref,
    );
    expect((await run(["refs", "unlink", "--connection", "hubspot", "--external", "company:C7", "--yes"])).code).toBe(
      0,
    );
    expect((await run(["refs", "unlink", "--connection", "hubspot", "--external", "company:C7", "--yes"])).code).toBe(
      5,
    );
    expect((await run(["refs", "unlink", ref.id, "--connection", "hubspot"])).code).toBe(2);
  });

  it("starts without loading zod, csv-parse or jsonata unless the verb needs them", async () => {
    // The CLI starts again for every command: libraries only some verbs use load with those verbs.
    const preload = join(homePath, "loaded.cjs");
    writeFileSync(
      preload,
      `process.on("exit", () => require("node:fs").writeSync(2, "\\nLOADED " + JSON.stringify(Object.keys(require.cache).map((f) => (/node_modules\\/(zod|csv-parse|jsonata)\\//.exec(f) || [])[1]).filter(Boolean))))`,
    );
    const loaded = (args: string[]) => {
      const r = spawnSync(process.execPath, ["-r", preload, BIN, ...args], {
        env: { PATH: process.env.PATH ?? "", ...env() },
        encoding: "utf8",
      });
      return [...new Set(JSON.parse(/LOADED (.*)$/.exec(r.stderr)![1]!) as string[])].sort();
    };
    expect(loaded(["refs", "list"])).toEqual([]);
    expect(loaded(["refs", "import", "-", "--format", "csv", "--connection", "conn_hubspot"])).toEqual([
      "csv-parse",
      "zod",
    ]);
    expect(
      loaded([
        "refs",
        "mappings",
        "set",
        "m",
        "--provider",
        "hubspot",
        "--entity-type",
        "user",
        "--external-type",
        "contact",
        "--field",
        "a=b",
      ]),
    ).toEqual(["zod"]);
  });

  it("exits 2 on bad input and writes nothing", async () => {
    const before = await json(["refs", "list"]);
    const bad: [string[], RegExp][] = [
      [
        ["refs", "link", "--entity", "user", "--connection", "conn_hubspot", "--external", "contact:1"],
        /not <type>:<id>/,
      ],
      [["refs", "link", "--entity", "user:1", "--connection", "conn_hubspot", "--external", ":1"], /not <type>:<id>/],
      [
        [
          "refs",
          "link",
          "--entity",
          "user:1",
          "--connection",
          "conn_hubspot",
          "--external",
          "contact:1",
          "--meta",
          "novalue",
        ],
        /key=value/,
      ],
      [["refs", "list", "--since", "yesterday"], /not a duration/],
      [["refs", "lookup"], /one of them/],
      [["refs", "lookup", "--external", "contact"], /<connection>:<type>:<id>/],
    ];
    for (const [args, message] of bad) {
      const r = await run(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const missing = await run([
      "refs",
      "link",
      "--entity",
      "user:1",
      "--connection",
      "conn_nope",
      "--external",
      "contact:1",
      "--json",
    ]);
    expect(missing.code).toBe(5);
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: { code: "CONNECTION_NOT_FOUND" } });
    expect(await json(["refs", "list"])).toEqual(before);
  });

  it("imports a file with bad rows (each named by line; nothing with --atomic), exports, and re-imports the export", async () => {
    const csv = join(homePath, `refs-${provider}.csv`);
    writeFileSync(
      csv,
      "entityType,entityId,externalType,externalId,metadata\n" +
        [
          "account,1,company,c1,",
          "account,2,company,,",
          'account,3,company,c3,"{""plan"":""pro""}"',
          "account,4,company,c1,",
        ].join("\n") +
        "\n",
    );
    const before = await json(["refs", "list", "--entity-type", "account"]);
    const atomic = await run(["refs", "import", csv, "--connection", "conn_hubspot", "--atomic"]);
    expect(atomic.code).toBe(2);
    expect(atomic.stderr).toMatch(/line 3: externalId is missing/);
    expect(atomic.stderr).toMatch(/line 5: company:c1 is already linked to account:1 by ref_/);
    expect(atomic.stderr).toMatch(/nothing was written/);
    // The summary, text or JSON, says nothing was written too: it counted the rows rolled back.
    expect(atomic.stdout).toMatch(/^inserted:\t0$/m);
    expect(atomic.stdout).toMatch(/^committed:\tno$/m);
    const atomicJson = await run(["refs", "import", csv, "--connection", "conn_hubspot", "--atomic", "--json"]);
    expect(atomicJson.code).toBe(2);
    expect(JSON.parse(atomicJson.stdout.trim().split("\n").at(-1)!)).toMatchObject({
      read: 4,
      inserted: 0,
      updated: 0,
      rejected: 2,
      committed: false,
    });
    expect(JSON.parse(atomicJson.stderr)).toMatchObject({ error: { code: "IMPORT_REJECTED" } });
    expect(await json(["refs", "list", "--entity-type", "account"])).toEqual(before);

    const errorsOut = join(homePath, `errors-${provider}.ndjson`);
    const partial = await run(["refs", "import", csv, "--connection", "hubspot", "--errors-out", errorsOut, "--json"]);
    expect(partial.code).toBe(1);
    // --json streams one line per row, then the summary.
    const ops = partial.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(ops.slice(0, -1).map((op) => [op.line, op.action, op.externalId])).toEqual([
      [2, "created", "c1"],
      [3, "rejected", ""],
      [4, "created", "c3"],
      [5, "rejected", "c1"],
    ]);
    expect(ops[1]).toMatchObject({
      referenceId: null,
      connectionId: "conn_hubspot",
      entityType: "account",
      entityId: "2",
      issues: [{ path: "externalId", message: "is missing" }],
    });
    expect(ops.at(-1)).toMatchObject({ read: 4, inserted: 2, rejected: 2, committed: true });
    expect(JSON.parse(partial.stderr)).toMatchObject({ error: { code: "IMPORT_PARTIAL" } });
    expect(
      readFileSync(errorsOut, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([ops[1], ops[3]]);

    const exported = await run(["refs", "export", "--format", "csv", "--entity-type", "account"]);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trim().split("\n");
    expect(lines[0]).toBe(
      "id,connectionId,entityType,entityId,externalType,externalId,metadata,payloadHash,firstSeenAt,lastModifiedAt,remoteDeleted,remoteDeletedAt,createdAt,updatedAt",
    );
    expect(lines).toHaveLength(3);
    expect(exported.stdout).toContain('"{""plan"":""pro""}"');
    const ndjson = await run(["refs", "export", "--entity-type", "account"]);
    const again = await run(["refs", "import", "-", "--format", "ndjson", "--json"], ndjson.stdout);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout.trim().split("\n").at(-1)!)).toMatchObject({
      read: 2,
      inserted: 0,
      unchanged: 2,
      rejected: 0,
    });
    const bad = await run(["refs", "import", join(homePath, "missing.csv")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Cannot read .*missing\.csv: ENOENT/);
  });

  it("finishes an import whose --json reader went away, and exits 0 with every row written", async () => {
    // The first rows' lines filled the pipe; the import ended there, exit 0, the rest never read.
    const rows = Array.from({ length: 20_000 }, (_, i) =>
      JSON.stringify({ entityType: "piped", entityId: String(i), externalType: "contact", externalId: `p${i}` }),
    );
    const file = join(homePath, `piped-${provider}.ndjson`);
    writeFileSync(file, `${rows.join("\n")}\n`);
    const args = [BIN, "refs", "import", file, "--connection", "conn_hubspot", "--json"].map((a) => `'${a}'`);
    const r = spawnSync(
      "bash",
      ["-c", `'${process.execPath}' ${args.join(" ")} | head -c 1 >/dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`],
      {
        env: { PATH: process.env.PATH ?? "", ...env() },
        encoding: "utf8",
      },
    );
    expect(r.stderr).toBe("exit=0\n");
    const count = spawnSync(
      process.execPath,
      [BIN, "refs", "list", "--entity-type", "piped", "--limit", "100000", "--json", "id"],
      {
        env: { PATH: process.env.PATH ?? "", ...env() },
        encoding: "utf8",
        maxBuffer: 1 << 26,
      },
    );
    expect(JSON.parse(count.stdout)).toHaveLength(20_000);
  });

  it("imports every valid CSV row after one over --max-record-size, that one rejected once by its line", async () => {
    // csv-parse's own limit gave up the rest of the chunk at that record, then reported it again
    // for every chunk after: the rows after it were lost without a word.
    const row = (n: number) => `huge,${n},company,h${n},`;
    const field = `"{""blob"":""${"q\n".repeat(600_000)}""}"`; // 1.8 MB over 600,000 lines, in one quoted field
    const csv = join(homePath, `huge-${provider}.csv`);
    writeFileSync(
      csv,
      `entityType,entityId,externalType,externalId,metadata\n${row(1)}\nhuge,2,company,h2,${field}\n${row(3)}\n${row(4)}\n`,
    );
    const r = await run(["refs", "import", csv, "--connection", "conn_hubspot", "--json"]);
    expect(r.code).toBe(1);
    const ops = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(ops.slice(0, -1).map((op) => [op.line, op.action])).toEqual([
      [2, "created"],
      [3, "rejected"],
      [600_004, "created"],
      [600_005, "created"],
    ]);
    expect(ops[1].issues).toEqual([{ path: "", message: "longer than 1048576 bytes (--max-record-size)" }]);
    expect(ops.at(-1)).toMatchObject({ read: 4, inserted: 3, rejected: 1 });
    const ids = (await json(["refs", "list", "--entity-type", "huge"])).map(
      (ref: { entityId: string }) => ref.entityId,
    );
    expect(ids.sort()).toEqual(["1", "3", "4"]);
  });

  it("rejects a record over --max-record-size by its line, in every format, without holding it", async () => {
    const good = (n: number) =>
      JSON.stringify({ entityType: "big", entityId: String(n), externalType: "company", externalId: `b${n}` });
    // A 3 MB line between two good ones: over the 1 MB default.
    const huge = JSON.stringify({
      entityType: "big",
      entityId: "2",
      externalType: "company",
      externalId: "x",
      metadata: { blob: "y".repeat(3_000_000) },
    });
    const ndjson = [good(1), huge, good(3)].join("\n") + "\n";
    const atomic = await run(
      ["refs", "import", "-", "--format", "ndjson", "--connection", "conn_hubspot", "--atomic"],
      ndjson,
    );
    expect(atomic.code).toBe(2);
    expect(atomic.stderr).toMatch(/line 2: .*longer than 1048576 bytes/);
    const small = ["--connection", "conn_hubspot", "--max-record-size", "200", "--dry-run"];
    const array = await run(
      ["refs", "import", "-", "--format", "json", ...small],
      `[${good(4)},\n${huge},\n${good(5)}]`,
    );
    expect(array.code).toBe(2);
    expect(array.stderr).toMatch(/line 2: .*longer than 200 bytes/);
    const csv = `entityType,entityId,externalType,externalId,metadata\nbig,6,company,c6,\nbig,7,company,c7,"{""a"":""${"z".repeat(400)}""}"\nbig,8,company,c8,\n`;
    const fromCsv = await run(["refs", "import", "-", "--format", "csv", ...small], csv);
    expect(fromCsv.code).toBe(2);
    expect(fromCsv.stderr).toMatch(/line 3: longer than 200 bytes/);
    expect((await run(["refs", "import", "-", "--format", "ndjson", "--max-record-size", "1x"])).code).toBe(2);
    expect(await json(["refs", "list", "--entity-type", "big"])).toEqual([]);
  });

  it("exports formula-looking cells as text with --excel-safe, and exactly without it", async () => {
    const csv = join(homePath, `formulas-${provider}.csv`);
    writeFileSync(
      csv,
      'entityType,entityId,externalType,externalId\nsheet,1,company,"=HYPERLINK(""http://x"")"\nsheet,2,company,@SUM(A1)\nsheet,3,company,-2+3\nsheet,4,company,plain\n',
    );
    const imported = await run(["refs", "import", csv, "--connection", "conn_hubspot"]);
    expect(imported.code, imported.stderr).toBe(0);
    const ids = (text: string) =>
      text
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.split(",").slice(5).join(",").split(",")[0]);
    const exact = await run(["refs", "export", "--format", "csv", "--entity-type", "sheet"]);
    expect(ids(exact.stdout)).toEqual(['"=HYPERLINK(""http://x"")"', "@SUM(A1)", "-2+3", "plain"]);
    const safe = await run(["refs", "export", "--format", "csv", "--entity-type", "sheet", "--excel-safe"]);
    expect(ids(safe.stdout)).toEqual([`"'=HYPERLINK(""http://x"")"`, "'@SUM(A1)", "'-2+3", "plain"]);
    expect((await run(["refs", "export", "--excel-safe"])).code).toBe(2);
  });
});
