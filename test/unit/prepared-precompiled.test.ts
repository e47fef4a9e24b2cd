import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { keyedStatementTexts, prepared, statementText } from "../../src/db/prepared.js";

// The CLI runs its keyed prepared statements from the text the build compiled (src/db/precompiled.ts,
// filled by scripts/build.mjs, also written to dist/prepared-sql.json). That text must be what
// Kysely compiles from the query modules now, on both providers, or the CLI would run stale SQL.
const QUERIES = fileURLToPath(new URL("../../src/db/queries/", import.meta.url));
const BUILT = fileURLToPath(new URL("../../dist/prepared-sql.json", import.meta.url));

describe("precompiled statements", () => {
  it("are, in the build, what Kysely compiles from the query modules now", async () => {
    expect(existsSync(BUILT), "dist/ is missing or old: run `npm run build`").toBe(true);
    for (const file of readdirSync(QUERIES, { recursive: true }) as string[])
      if (file.endsWith(".ts")) await import(`${QUERIES}${file.replace(/\.ts$/, ".js")}`);
    const now = Object.fromEntries(Object.entries(keyedStatementTexts()).filter(([key]) => !key.startsWith("test.")));
    expect(Object.keys(now)).toEqual(expect.arrayContaining(["api-key.lookup", "api-key.record-use"]));
    expect(JSON.parse(readFileSync(BUILT, "utf8"))).toEqual(JSON.parse(JSON.stringify(now)));
  });

  it("hold each parameter's place: a name given at each run, or a constant of the build", () => {
    const text = statementText("postgresql", ["id"], (k, p) =>
      k.selectFrom("ApiKey").select("id").where("id", "=", p.id).where("status", "=", "ACTIVE"),
    );
    expect(text.sql).toBe('select "id" from "ApiKey" where "id" = $1 and "status" = $2');
    expect(text.slots).toEqual([{ name: "id" }, { fixed: "ACTIVE" }]);
  });

  it("refuse a key declared twice, which would leave one statement running the other's text", () => {
    const build = (k: Parameters<Parameters<typeof prepared>[1]>[0], p: { id: never }) =>
      k.selectFrom("ApiKey").select("id").where("id", "=", p.id);
    prepared(["id"], build, { key: "test.twice" });
    expect(() => prepared(["id"], build, { key: "test.twice" })).toThrow(/declared twice/);
  });
});
