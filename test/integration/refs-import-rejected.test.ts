import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../src/services/context.js";
import type { ImportFormat } from "../../src/services/refs/import-sources.js";
import { PROVIDERS } from "../helpers/databases.js";
import { importText, seedTwoConnections } from "../helpers/ref-fixtures.js";
import { type TestServices, testServices } from "../helpers/services.js";

// A row rejected by refs import is named by the line it starts on, in every format, and only the
// valid rows around it are written; with --atomic none are, and the summary says so. A number id
// JSON cannot hold exactly is such a row.

describe.each(PROVIDERS)("refs import's rejected rows, by line, on %s", (provider) => {
  let t: TestServices;
  let ctx: ServiceContext;
  const run = (text: string, format: ImportFormat) => importText(ctx, text, format, {}, 2);
  const errors = (s: Awaited<ReturnType<typeof run>>) =>
    s.firstErrors.map((e) => [e.line, e.issues.map((i) => `${i.path} ${i.message}`).join("; ")]);
  const stored = async () =>
    (await ctx.sql.all<{ externalId: string }>(`SELECT "externalId" FROM "ExternalReference"`))
      .map((r) => r.externalId)
      .sort();
  beforeAll(async () => {
    t = await testServices(provider);
    ctx = t.ctx;
    await seedTwoConnections(ctx.sql);
  });
  beforeEach(async () => void (await ctx.sql.run(`DELETE FROM "ExternalReference"`)));
  afterAll(async () => t?.dispose());

  it("names a CSV row with quoted line breaks by its first line, in LF and CRLF files", async () => {
    for (const eol of ["\n", "\r\n"]) {
      const csv = [
        "entityType,entityId,externalType,externalId,metadata",
        'user,1,contact,c1,"{""note"":',
        '""two lines""}"',
        'user,2,contact,,"{""note"":',
        "",
        '""three lines""}"',
        "user,3,contact,c3,",
        'user,4,contact,c4,"{""note"":',
        "oops}",
        '"',
        "user,5,contact,",
      ].join(eol);
      await ctx.sql.run(`DELETE FROM "ExternalReference"`);
      const summary = await run(csv, "csv");
      expect(errors(summary), JSON.stringify(eol)).toEqual([
        [4, "externalId is missing"],
        [8, "metadata is not valid JSON"],
        [11, "externalId is missing"],
      ]);
      expect(summary).toMatchObject({ read: 5, inserted: 2, rejected: 3 });
      expect(await stored()).toEqual(["c1", "c3"]);
    }
  });

  it("counts nothing written when --atomic rolls back, inserts and updates alike", async () => {
    const row = (id: string, meta: string) =>
      `{"entityType":"user","entityId":"${id}","externalType":"contact","externalId":"c${id}","metadata":${meta}}`;
    expect(await run([row("1", '{"a":1}'), row("2", '{"a":1}')].join("\n"), "ndjson")).toMatchObject({ inserted: 2 });
    const file = [row("1", '{"a":2}'), row("2", '{"a":1}'), row("3", "{}"), row("", "{}")].join("\n");
    const atomic = await importText(ctx, file, "ndjson", { mode: "upsert", atomic: true }, 2);
    // It said inserted 1, updated 1: what the rolled-back transaction had done (found in review).
    expect(atomic).toMatchObject({ committed: false, read: 4, inserted: 0, updated: 0, unchanged: 1, rejected: 1 });
    expect(errors(atomic)).toEqual([[4, "entityId must not be empty"]]);
    expect(await stored()).toEqual(["c1", "c2"]);
    const meta = await ctx.sql.get<{ metadata: unknown }>(
      `SELECT "metadata" FROM "ExternalReference" WHERE "externalId" = 'c1'`,
    );
    expect(typeof meta!.metadata === "string" ? JSON.parse(meta!.metadata) : meta!.metadata).toEqual({ a: 1 });
    // A dry run still counts what it would write.
    expect(
      await importText(ctx, file.split("\n").slice(0, 3).join("\n"), "ndjson", { mode: "upsert", dryRun: true }),
    ).toMatchObject({ committed: false, inserted: 1, updated: 1, unchanged: 1 });
  });

  it("rejects by its line a JSON number id that JSON.parse cannot hold exactly; safe integers are ids", async () => {
    const MAX = Number.MAX_SAFE_INTEGER; // 2^53 − 1
    const row = (entityId: string, externalId: string) =>
      `{"entityType":"user","entityId":${entityId},"externalType":"contact","externalId":${externalId}}`;
    const rows = [
      row("1", "12345678901234567890"), // read as 12345678901234567000: it was stored so
      row("2", `${MAX}`),
      row(`-${MAX}`, '"c3"'),
      row("4", `${MAX + 1}`),
      row("1.5", '"c5"'),
      row("6", "1e21"),
      row("7", "-9007199254740993"),
      row("8", "8.0"), // 8 to JSON.parse, exactly
    ];
    const expected = [
      [1, "externalId must be a string, or an integer within ±(2^53−1): a larger number or a fraction loses digits"],
      [4, "externalId must be a string, or an integer within ±(2^53−1): a larger number or a fraction loses digits"],
      [5, "entityId must be a string, or an integer within ±(2^53−1): a larger number or a fraction loses digits"],
      [6, "externalId must be a string, or an integer within ±(2^53−1): a larger number or a fraction loses digits"],
      [7, "externalId must be a string, or an integer within ±(2^53−1): a larger number or a fraction loses digits"],
    ].map(([line, message]) => [line, `${message} in JSON`]);
    for (const [format, text, first] of [
      ["ndjson", rows.join("\n"), 1],
      ["json", `[\n${rows.join(",\n")}\n]`, 2],
    ] as const) {
      await ctx.sql.run(`DELETE FROM "ExternalReference"`);
      const summary = await run(text, format);
      expect(errors(summary), format).toEqual(expected.map(([line, m]) => [(line as number) + first - 1, m]));
      expect(summary).toMatchObject({ read: 8, inserted: 3, rejected: 5 });
      expect(await stored()).toEqual(["8", String(MAX), "c3"].sort());
    }
  });
});
