import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../src/services/context.js";
import type { ImportFormat } from "../../src/services/refs/import-sources.js";
import { PROVIDERS } from "../helpers/databases.js";
import { importText, seedTwoConnections } from "../helpers/ref-fixtures.js";
import { type TestServices, testServices } from "../helpers/services.js";

// A row rejected by refs import is named by the line it starts on, in every format, and only the
// valid rows around it are written.

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
});
