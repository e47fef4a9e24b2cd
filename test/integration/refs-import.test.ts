import { Readable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../src/services/context.js";
import { exportReferences } from "../../src/services/refs/export.js";
import { importReferences, type ImportInput } from "../../src/services/refs/import.js";
import { readRecords, type ImportFormat } from "../../src/services/refs/import-sources.js";
import { listReferences, showHistory } from "../../src/services/refs/list.js";
import { unlinkReference } from "../../src/services/refs/unlink.js";
import type { ExternalReference } from "../../src/types/integration/external-reference.types.js";
import { PROVIDERS } from "../helpers/databases.js";
import { seedTwoConnections } from "../helpers/ref-fixtures.js";
import { testServices, type TestServices } from "../helpers/services.js";

const none = { connectionIds: [], entityTypes: [], externalTypes: [], since: null };
const CSV_HEADER = "entityType,entityId,externalType,externalId,metadata\n";

describe.each(PROVIDERS)("refs import and export on %s", (provider) => {
  let t: TestServices;
  let ctx: ServiceContext;
  /** Text, or the chunks the file arrives in. */
  const run = (text: string | Buffer[], format: ImportFormat, over: Partial<ImportInput> = {}, batch = 3) => {
    const rejected: number[] = [];
    const result = importReferences(ctx, {
      source: "test",
      connection: "conn_hubspot",
      mode: "insert",
      dryRun: false,
      atomic: false,
      batches: readRecords(Readable.from(typeof text === "string" ? [text] : text), format, batch),
      onRejected: (op) => rejected.push(op.line!),
      ...over,
    });
    return result.then((summary) => ({ summary, rejected }));
  };
  const all = async () => (await listReferences(ctx, none, 1000)).references;
  beforeAll(async () => {
    t = await testServices(provider);
    ctx = t.ctx;
    await seedTwoConnections(ctx.sql);
  });
  beforeEach(async () => {
    await ctx.sql.run(`DELETE FROM "ExternalReference"`);
    await ctx.sql.run(`DELETE FROM "ExternalReferenceAudit"`);
  });
  const importAudit = async () =>
    (
      await ctx.sql.all<{ metadata: unknown }>(
        `SELECT "metadata" FROM "AuditEvent" WHERE "action" = 'reference.import' ORDER BY "seq"`,
      )
    ).map((r) => (typeof r.metadata === "string" ? JSON.parse(r.metadata) : r.metadata));
  afterAll(async () => t?.dispose());

  it("imports valid rows in batches, reports each bad line, and audits every new reference", async () => {
    const csv =
      CSV_HEADER +
      [
        'user,1,contact,901,"{""tier"":""gold""}"',
        "user,,contact,902,",
        "user,3,contact,903,",
        "us er,4,contact,904,",
        "user,5,contact,905,{not json",
        "user,6,contact,906,",
        "user,7,contact,901,",
      ].join("\n") +
      "\n";
    const { summary, rejected } = await run(csv, "csv");
    expect(summary).toMatchObject({ committed: true, read: 7, inserted: 3, updated: 0, unchanged: 0, rejected: 4 });
    expect(rejected.sort((a, b) => a - b)).toEqual([3, 5, 6, 8]);
    expect((await importAudit()).at(-1)).toEqual({
      source: "test",
      connectionId: "conn_hubspot",
      mode: "insert",
      inserted: 3,
      updated: 0,
    });
    expect(summary.firstErrors.map((e) => [e.line, e.issues[0]!.path])).toEqual([
      [3, "entityId"],
      [5, "entityType"],
      [6, "metadata"],
      [8, ""],
    ]);
    expect(summary.firstErrors[0]!.issues[0]!.message).toBe("is missing");
    expect(summary.firstErrors[3]!.issues[0]!.message).toMatch(/contact:901 is already linked to user:1 by ref_/);
    const refs = (await all()).sort((a, b) => a.externalId.localeCompare(b.externalId)); // one batch shares a millisecond: ids do not order it
    expect(refs.map((r) => `${r.entityId}:${r.externalId}`)).toEqual(["1:901", "3:903", "6:906"]);
    expect(refs[0]!.metadata).toEqual({ tier: "gold" });
    expect(await showHistory(ctx, { id: refs[0]!.id })).toMatchObject([
      {
        action: "link",
        source: "import",
        actor: "tester",
        changes: expect.arrayContaining([{ field: "metadata", from: null, to: { tier: "gold" } }]),
      },
    ]);
    // The link entry is read from the reference; unlinking writes it down, so it outlives it.
    const before = await showHistory(ctx, { id: refs[0]!.id });
    await unlinkReference(ctx, { id: refs[0]!.id, dryRun: false });
    const after = await showHistory(ctx, { id: refs[0]!.id });
    expect(after.map((h) => `${h.action}/${h.source}`)).toEqual(["link/import", "unlink/cli"]);
    expect(after[0]).toEqual(before[0]);
  });

  it("writes nothing with --atomic when a row is bad, and says so; nor with --dry-run, which counts all", async () => {
    const ndjson = [
      '{"entityType":"user","entityId":1,"externalType":"contact","externalId":"901"}',
      '{"entityType":"user","entityId":"2","externalType":"contact","externalId":"902"}',
      "not json",
      '{"entityType":"user","entityId":"3","externalType":"contact"}',
    ].join("\n");
    const audited = (await importAudit()).length;
    const atomic = await run(ndjson, "ndjson", { atomic: true });
    // The two good rows were inserted, then rolled back: the summary said "inserted 2" (found in review).
    expect(atomic.summary).toMatchObject({ committed: false, read: 4, inserted: 0, updated: 0, rejected: 2 });
    expect(atomic.summary.firstErrors.map((e) => e.line)).toEqual([3, 4]);
    expect(await all()).toEqual([]);
    const dry = await run(ndjson.split("\n").slice(0, 2).join("\n"), "ndjson", { dryRun: true });
    expect(dry.summary).toMatchObject({ committed: false, dryRun: true, inserted: 2, rejected: 0 });
    expect(await all()).toEqual([]);
    expect(await ctx.sql.all(`SELECT * FROM "ExternalReferenceAudit"`)).toEqual([]);
    expect(await importAudit()).toHaveLength(audited); // rolled back with the rows
  });

  it("reports what became of each row when asked, a batch at a time", async () => {
    const batches: string[][] = [];
    const text =
      CSV_HEADER +
      [
        "user,1,contact,c1,",
        "user,2,contact,c2,",
        "user,1,contact,c1,",
        "user,3,contact,c1,",
        "user,,contact,c9,",
      ].join("\n");
    const { summary } = await run(text, "csv", {
      onRows: (ops) =>
        void batches.push(
          ops.map((o) => `${o.line}:${o.action}:${o.referenceId?.slice(0, 4) ?? null}:${o.issues.length}`),
        ),
    });
    expect(batches).toEqual([
      ["2:created:ref_:0", "3:created:ref_:0", "4:unchanged:ref_:0"],
      ["5:rejected:null:1", "6:rejected:null:1"],
    ]);
    expect(summary).toMatchObject({ inserted: 2, unchanged: 1, rejected: 2 });
  });

  it("stops after the batch in hand when interrupted: kept unless atomic, and importing again carries on", async () => {
    const csv = CSV_HEADER + Array.from({ length: 10 }, (_, i) => `user,${i},contact,c${i},`).join("\n");
    const stopAfterFirst = () => {
      const stop = new AbortController();
      return { signal: stop.signal, onBatch: () => stop.abort() };
    };
    const atomic = await run(csv, "csv", { atomic: true, ...stopAfterFirst() });
    expect(atomic.summary).toMatchObject({ interrupted: true, committed: false, read: 3, inserted: 0 });
    expect(await all()).toEqual([]);
    const partial = await run(csv, "csv", stopAfterFirst());
    expect(partial.summary).toMatchObject({ interrupted: true, committed: true, read: 3, inserted: 3 });
    expect(await all()).toHaveLength(3);
    expect((await run(csv, "csv")).summary).toMatchObject({ interrupted: false, read: 10, unchanged: 3, inserted: 7 });
  });

  it("re-imports as unchanged, updates with --mode upsert, and rejects changes in insert mode", async () => {
    const json = (meta: string) =>
      `[\n {"entityType":"user","entityId":"1","externalType":"contact","externalId":"901","metadata":${meta}},\n {"connectionId":"conn_salesforce","entityType":"user","entityId":"1","externalType":"lead","externalId":"L1"}\n]`;
    expect((await run(json('{"a":"1"}'), "json", { connection: null })).summary).toMatchObject({
      inserted: 1,
      rejected: 1,
    }); // the first row has no connection
    await ctx.sql.run(`DELETE FROM "ExternalReference"`);
    const mismatch = await run(json('{"a":"1"}'), "json", { connection: "conn_hubspot" });
    expect(mismatch.summary.firstErrors).toEqual([
      { line: 3, issues: [{ path: "connectionId", message: "is conn_salesforce, not the --connection conn_hubspot" }] },
    ]);
    await ctx.sql.run(`DELETE FROM "ExternalReference"`);
    const rows = json('{"a":"1"}').replace('"metadata"', '"connectionId":"conn_hubspot","metadata"');
    expect((await run(rows, "json", { connection: null })).summary).toMatchObject({ inserted: 2, rejected: 0 });
    expect((await run(rows, "json", { connection: null })).summary).toMatchObject({
      inserted: 0,
      unchanged: 2,
      rejected: 0,
    });
    const changed = rows.replace('{"a":"1"}', '{"a":"2"}');
    const insert = await run(changed, "json", { connection: null });
    expect(insert.summary).toMatchObject({ unchanged: 1, rejected: 1 });
    expect(insert.summary.firstErrors[0]!.issues[0]!.message).toMatch(/--mode upsert updates it/);
    expect((await run(changed, "json", { connection: null, mode: "upsert" })).summary).toMatchObject({
      updated: 1,
      unchanged: 1,
    });
    const ref = (await all()).find((r) => r.externalId === "901")!;
    expect(ref.metadata).toEqual({ a: "2" });
    expect((await showHistory(ctx, { id: ref.id })).map((h) => h.action)).toEqual(["link", "update"]);
    // One file updating a reference twice: the second row sees the first's result.
    const twice = [
      '{"connectionId":"conn_hubspot","entityType":"user","entityId":"1","externalType":"contact","externalId":"901","metadata":{"a":"3"}}',
      '{"connectionId":"conn_hubspot","entityType":"user","entityId":"1","externalType":"contact","externalId":"901","metadata":{"a":"4"}}',
    ].join("\n");
    expect((await run(twice, "ndjson", { connection: null, mode: "upsert" })).summary).toMatchObject({ updated: 2 });
    const changes = (await showHistory(ctx, { id: ref.id })).slice(-2).map((h) => h.changes);
    expect(changes).toEqual([
      [{ field: "metadata", from: { a: "2" }, to: { a: "3" } }],
      [{ field: "metadata", from: { a: "3" }, to: { a: "4" } }],
    ]);
  });

  it("says what earlier transactions wrote when the file turns out bad past the first 100,000 rows", async () => {
    // A JSON array that never closes: the reader finds out at the end, after a transaction of
    // 100,000 rows committed. That was a usage error (exit 2, "nothing was written").
    const rows = Array.from({ length: 100_010 }, (_, i) =>
      JSON.stringify({ entityType: "bulk", entityId: String(i), externalType: "contact", externalId: `b${i}` }),
    );
    const error = await run(`[${rows.join(",\n")}`, "json", {}, 5_000).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "IMPORT_PARTIAL", kind: "failure" });
    const n = Number((await ctx.sql.get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "ExternalReference"`))!.n);
    expect(n).toBeGreaterThanOrEqual(100_000);
    expect((error as Error).message).toMatch(/^The JSON array is not closed/);
    expect((error as Error).message).toContain(` ${n} row(s) were written before it`);
    expect((error as Error).message).not.toContain("nothing was");
    // The same file bad within its first transaction writes nothing, and says so (exit 2).
    await ctx.sql.run(`DELETE FROM "ExternalReference"`);
    const small = await run(`[${rows.slice(0, 10).join(",\n")}`, "json").catch((e: unknown) => e);
    expect(small).toMatchObject({ code: "INVALID_IMPORT_FILE", kind: "usage" });
  }, 60_000);

  it("refuses bytes that are not UTF-8 by their line in every format, and reads past a byte-order mark", async () => {
    // Decoded as they were, invalid bytes became U+FFFD and were imported.
    const bytes = (...parts: (string | number[])[]) =>
      Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));
    const runBytes = async (b: Buffer, format: ImportFormat) =>
      (await run([b.subarray(0, 7), b.subarray(7)], format)).summary;
    const row = (id: string) =>
      `{"entityType":"user","entityId":"${id}","externalType":"contact","externalId":"u${id}"}`;
    const cases: [ImportFormat, Buffer, number][] = [
      ["csv", bytes(CSV_HEADER, "user,1,contact,c1,\nuser,2", [0xff], ",contact,c2,\n"), 3],
      ["ndjson", bytes(row("1"), "\n", row("2"), "\n", row("3").slice(0, 30), [0xc3, 0x28], row("3").slice(30)), 3],
      ["json", bytes("[\n", row("1"), ",\n", row("2").replace("2", "\u00e9"), [0xe2, 0x82], "]"), 3],
    ];
    for (const [format, b, line] of cases) {
      const error = await runBytes(b, format).catch((e: unknown) => e);
      expect(error, format).toMatchObject({
        code: "INVALID_UTF8",
        message: `Line ${line} is not valid UTF-8; nothing was imported.`,
      });
    }
    expect(await all()).toEqual([]);
    const bom = [0xef, 0xbb, 0xbf];
    for (const [format, b] of [
      ["ndjson", bytes(bom, row("b1"), "\r\n", row("b2"), "\r\n")],
      ["json", bytes(bom, "[", row("b3"), "]")],
      ["csv", bytes(bom, CSV_HEADER, "user,b4,contact,ub4,\n")],
    ] as const) {
      expect(await runBytes(b, format), format).toMatchObject({ rejected: 0, committed: true });
    }
    expect((await all()).map((r) => r.entityId).sort()).toEqual(["b1", "b2", "b3", "b4"]);
  });

  it("rejects an id holding a lone surrogate by its line; a pair is an id like any other", async () => {
    // On PostgreSQL both became "x\uFFFD": one reference, the second "already linked".
    const row = (id: string) =>
      `{"entityType":"user","entityId":"${id}","externalType":"contact","externalId":"${id}"}`;
    const { summary, rejected } = await run(
      [row("x\\ud800"), row("x\\udbff"), row("x\\ud83d\\ude00")].join("\n"),
      "ndjson",
    );
    expect(rejected).toEqual([1, 2]);
    expect(summary.firstErrors[0]!.issues).toContainEqual({
      path: "entityId",
      message: "must not hold a lone surrogate (an unpaired \\ud800-\\udfff)",
    });
    expect((await all()).map((r) => r.entityId)).toEqual(["x\u{1f600}"]);
  });

  it("exports every reference a page at a time, in a form import reads back", async () => {
    const lines = Array.from({ length: 25 }, (_, i) => `user,${i},contact,c${i},`);
    expect((await run(CSV_HEADER + lines.join("\n"), "csv", {}, 7)).summary).toMatchObject({ inserted: 25 });
    const pages: ExternalReference[][] = [];
    for await (const page of exportReferences(ctx, none, 10)) pages.push(page);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    const exported = pages.flat();
    expect(exported.map((r) => r.externalId)).toEqual(lines.map((l) => l.split(",")[3])); // ids increase within a millisecond: file order
    expect(exported).toEqual(await all());
    const ndjson = exported.map((r) => JSON.stringify(r)).join("\n");
    expect((await run(ndjson, "ndjson", { connection: null })).summary).toMatchObject({
      read: 25,
      unchanged: 25,
      rejected: 0,
    });
    const filtered: ExternalReference[] = [];
    for await (const page of exportReferences(ctx, { ...none, connectionIds: ["conn_salesforce"] }))
      filtered.push(...page);
    expect(filtered).toEqual([]);
  });
});
