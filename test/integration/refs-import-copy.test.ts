import { Readable } from "node:stream";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../src/services/context.js";
import type { ImportInput } from "../../src/services/refs/import.js";
import { readRecords, type ImportFormat, type RawRecord } from "../../src/services/refs/import-sources.js";
import { linkReference } from "../../src/services/refs/link.js";
import { listReferences } from "../../src/services/refs/list.js";
import type { ExternalReferenceSyncOperation } from "../../src/types/integration/external-reference.types.js";
import { PG_BASE_URL } from "../helpers/databases.js";
import { importText, seedTwoConnections } from "../helpers/ref-fixtures.js";
import { testServices, type TestServices } from "../helpers/services.js";

// On PostgreSQL an import streams its rows through COPY … FROM STDIN into a staging table, merged
// into the references once the transaction's rows are in. Line numbers, --atomic and upserts
// behave as they do with INSERTs (refs-import.test.ts runs those on both databases).

const none = { connectionIds: [], entityTypes: [], externalTypes: [], since: null };
const HEADER = "entityType,entityId,externalType,externalId,metadata\n";
const csvRows = (n: number, row: (i: number) => string = (i) => `user,${i},contact,c${i},`) =>
  HEADER + Array.from({ length: n }, (_, i) => row(i)).join("\n") + "\n";

describe.skipIf(!PG_BASE_URL)("refs import on PostgreSQL, through COPY", () => {
  let t: TestServices;
  let ctx: ServiceContext;
  let observer: pg.Client;
  const run = (text: string, format: ImportFormat, over: Partial<ImportInput> = {}, batch = 500) =>
    importText(ctx, text, format, over, batch);
  const count = async (table: string) =>
    Number((await ctx.sql.get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "${table}"`))!.n);
  const importEvents = () => ctx.sql.all(`SELECT "seq" FROM "AuditEvent" WHERE "action" = 'reference.import'`);

  beforeAll(async () => {
    t = await testServices("postgresql");
    ctx = t.ctx;
    await seedTwoConnections(ctx.sql);
    observer = new pg.Client({ connectionString: t.temp.url });
    await observer.connect();
  });
  beforeEach(async () => {
    await ctx.sql.run(`DELETE FROM "ExternalReference"`);
    await ctx.sql.run(`DELETE FROM "ExternalReferenceAudit"`);
  });
  afterAll(async () => {
    await observer?.end();
    await t?.dispose();
  });

  it("loads new rows with COPY straight into the references, and rows that hit existing ones through a staging table", async () => {
    // What the import's connection is doing while it waits for each next batch.
    const seen = new Set<string>();
    async function* observed(batches: AsyncIterable<RawRecord[]>) {
      for await (const batch of batches) {
        const active = `SELECT "query" FROM pg_stat_activity WHERE "datname" = current_database() AND "pid" <> pg_backend_pid() AND "state" = 'active'`;
        for (const r of (await observer.query(active)).rows as { query: string }[])
          seen.add(r.query.slice(0, r.query.indexOf("(")));
        yield batch;
      }
    }
    const load = () => run("", "csv", { batches: observed(readRecords(Readable.from([csvRows(5000)]), "csv", 500)) });
    expect(await load()).toMatchObject({ committed: true, read: 5000, inserted: 5000, rejected: 0 });
    expect([...seen]).toEqual(['COPY "ExternalReference" ']);
    const refs = (await listReferences(ctx, none, 6000)).references;
    expect(refs.map((r) => r.externalId)).toEqual(Array.from({ length: 5000 }, (_, i) => `c${i}`)); // file order
    expect(refs[0]).toMatchObject({
      entityType: "user",
      entityId: "0",
      metadata: null,
      payloadHash: null,
      remoteDeleted: false,
      createdAt: "2026-01-15T12:00:00.000Z",
    });
    expect(
      await ctx.sql.get<{ linkedBy: string; linkedVia: string }>(
        `SELECT "linkedBy", "linkedVia" FROM "ExternalReference" LIMIT 1`,
      ),
    ).toEqual({ linkedBy: "tester", linkedVia: "import" });

    // Again: the first row fails the direct COPY; its rows and the rest go through the staging table.
    seen.clear();
    expect(await load()).toMatchObject({ committed: true, read: 5000, inserted: 0, unchanged: 5000, rejected: 0 });
    expect(seen).toContain('COPY "ExternalReferenceStage" ');
    // The staging table lived only as long as the transaction.
    expect(await ctx.sql.get(`SELECT to_regclass('pg_temp."ExternalReferenceStage"') AS "t"`)).toEqual({ t: null });
    expect(await count("ExternalReference")).toBe(5000);
  });

  it("reports a bad line mid-file by its line number, and with --atomic writes nothing", async () => {
    await linkReference(ctx, {
      connection: "conn_hubspot",
      entityType: "user",
      entityId: "other",
      externalType: "contact",
      externalId: "taken",
      metadata: null,
    });
    // Lines in three of the merges of 10,000 rows, the second staged while the first merges.
    const bad: Record<number, string> = {
      2500: "user,,contact,c2500,", // line 2502: no entityId
      14000: "user,14000,contact,taken,", // line 14002: the record is linked to user:other
      24999: 'user,24999,contact,c24999,"{""k"":""a\\u0000b""}"', // line 25001: U+0000, which PostgreSQL cannot store
    };
    const csv = csvRows(26000, (i) => bad[i] ?? `user,${i},contact,c${i},`);
    const events = (await importEvents()).length;

    const atomic = await run(csv, "csv", { atomic: true });
    expect(atomic).toMatchObject({ committed: false, read: 26000, inserted: 0, updated: 0, rejected: 3 });
    expect(atomic.firstErrors.map((e) => [e.line, e.issues[0]!.path, e.issues[0]!.message])).toEqual([
      [2502, "entityId", "is missing"],
      [14002, "", expect.stringMatching(/^contact:taken is already linked to user:other by ref_/)],
      [25001, "metadata", "holds the character U+0000, which PostgreSQL cannot store"],
    ]);
    expect(await count("ExternalReference")).toBe(1); // only the link made above
    expect(await importEvents()).toHaveLength(events);

    const ops: ExternalReferenceSyncOperation[] = [];
    const partial = await run(csv, "csv", { onRows: (o) => void ops.push(...o) });
    expect(partial).toMatchObject({ committed: true, inserted: 25997, rejected: 3 });
    expect(ops.filter((o) => o.action === "rejected").map((o) => o.line)).toEqual([2502, 14002, 25001]);
    expect(ops.filter((o) => o.action === "created")).toHaveLength(25997);
    expect(await count("ExternalReference")).toBe(25998);
    const again = await run(csv, "csv");
    expect(again).toMatchObject({ unchanged: 25997, rejected: 3, inserted: 0 });
    expect(again.firstErrors.map((e) => e.line)).toEqual([2502, 14002, 25001]);
  });

  it("rejects metadata holding a lone surrogate by its line; a pair, or the same text escaped, is stored", async () => {
    // A lone \ud83d failed the COPY (jsonb refuses it), and with it the whole import, with no line.
    const line = (n: number, metadata: string) =>
      `{"entityType":"user","entityId":"s${n}","externalType":"contact","externalId":"s${n}","metadata":${metadata}}`;
    const text = [
      line(1, '{"s":"\\ud83d"}'),
      line(2, '{"s":"\\ud83d\\ude00"}'),
      line(3, '{"s":"\\\\ud83d"}'),
      line(4, '{"\\udc00":1}'),
      line(5, "{}"),
    ].join("\n");
    const result = await run(text, "ndjson");
    expect(result).toMatchObject({ committed: true, read: 5, inserted: 3, rejected: 2 });
    const lone = "holds a lone surrogate (an unpaired \\ud800-\\udfff), which PostgreSQL cannot store";
    expect(result.firstErrors.map((e) => [e.line, e.issues[0]!.path, e.issues[0]!.message])).toEqual([
      [1, "metadata", lone],
      [4, "metadata", lone],
    ]);
  });

  it("stores what COPY's text format escapes as it was given, and keeps absent fields on upsert", async () => {
    const meta = {
      tab: "a\tb",
      nl: "a\nb\r\n",
      bs: "C:\\path\\n",
      quote: '"q"',
      uni: "é ✓ 🚀",
      nested: { list: [1, "\\t", null] },
    };
    const lines = [
      {
        entityType: "user",
        entityId: "back\\slash",
        externalType: "contact",
        externalId: "x\\ty",
        metadata: meta,
        payloadHash: "h\t\\n\n",
      },
      {
        entityType: "user",
        entityId: "2",
        externalType: "contact",
        externalId: "c2",
        metadata: null,
        payloadHash: null,
      },
      {
        entityType: "user",
        entityId: "3",
        externalType: "contact",
        externalId: "c3",
        metadata: { a: 1 },
        payloadHash: "p3",
      },
    ];
    const ndjson = lines.map((l) => JSON.stringify(l)).join("\n");
    expect(await run(ndjson, "ndjson")).toMatchObject({ inserted: 3, rejected: 0 });
    const stored = (await listReferences(ctx, none, 10)).references;
    expect(
      stored.map(({ entityId, externalId, metadata, payloadHash }) => ({
        entityId,
        externalId,
        metadata,
        payloadHash,
      })),
    ).toEqual(
      lines.map(({ entityId, externalId, metadata, payloadHash }) => ({ entityId, externalId, metadata, payloadHash })),
    );
    expect(await run(ndjson, "ndjson")).toMatchObject({ inserted: 0, unchanged: 3 });
    // A row without metadata or payloadHash keeps the reference's; null clears it.
    const upsert = [
      '{"entityType":"user","entityId":"3","externalType":"contact","externalId":"c3"}',
      '{"entityType":"user","entityId":"back\\\\slash","externalType":"contact","externalId":"x\\\\ty","metadata":null}',
    ].join("\n");
    expect(await run(upsert, "ndjson", { mode: "upsert" })).toMatchObject({ unchanged: 1, updated: 1 });
    const after = (await listReferences(ctx, none, 10)).references;
    expect(after.map((r) => [r.externalId, r.metadata, r.payloadHash])).toEqual([
      ["x\\ty", null, "h\t\\n\n"],
      ["c2", null, null],
      ["c3", { a: 1 }, "p3"],
    ]);
  });

  it("stops the COPY and writes nothing when the file turns out broken, leaving the connection usable", async () => {
    const unclosed =
      "[\n" +
      Array.from(
        { length: 3000 },
        (_, i) => `{"entityType":"user","entityId":"${i}","externalType":"contact","externalId":"c${i}"}`,
      ).join(",\n");
    await expect(run(unclosed, "json", { atomic: true })).rejects.toMatchObject({ code: "INVALID_IMPORT_FILE" });
    expect(await count("ExternalReference")).toBe(0);
    expect(await run(csvRows(10), "csv")).toMatchObject({ committed: true, inserted: 10 });
  });
});
