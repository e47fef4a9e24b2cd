import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { typed } from "../../src/db/kysely.js";
import { keyFilter } from "../../src/db/queries/api-key-filter.js";
import { keysJsonWhere } from "../../src/db/queries/api-key-json.js";
import type { ApiKeyFilter } from "../../src/types/integration/api.types.js";
import { createKey, type CreateKeyInput } from "../../src/services/keys/create.js";
import { listKeys } from "../../src/services/keys/list.js";
import { listKeysJson } from "../../src/services/keys/list-json.js";
import { preparedDb } from "../../src/db/prepared-run.js";
import { revokeKey } from "../../src/services/keys/revoke.js";
import { rotateKey } from "../../src/services/keys/rotate.js";
import { testServices, type TestServices } from "../helpers/services.js";

// `keys list --json` on SQLite is written by the database (api-key-json.ts). Its text must be the
// bytes JSON.stringify prints of the views, for every kind of key and filter; and where SQLite
// would print something else (a date or metadata stored by hand), the views are used.

const DAY = 86_400_000;
const base: CreateKeyInput = {
  name: "k",
  scopes: ["WRITE", "READ"],
  environment: "live",
  prefix: "intg",
  ownerId: null,
  metadata: null,
  expiresAt: null,
};
const FILTERS: ApiKeyFilter[] = [
  {},
  { status: ["ACTIVE"] },
  { status: ["EXPIRED", "ROTATING"] },
  { status: ["REVOKED"] },
  { ownerId: "team-a" },
  { scopes: ["READ"], environment: "live" },
  { notUsedSince: "2026-01-16T00:00:00.000Z" },
];

describe("keys list --json written by SQLite", () => {
  let t: TestServices;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    t = await testServices("sqlite");
    const odd = 'a"b\\c\b\f\n\r\t\u0001\u001f\u007f\u2028é😀/<>';
    await createKey(t.ctx, { ...base, name: odd, ownerId: "team-a", metadata: { note: odd, n: 1.5, big: 1e21 } });
    await createKey(t.ctx, {
      ...base,
      name: "nested",
      metadata: { 2: "b", a: { list: [1, "x", null, true] }, 10: -0.25 },
    });
    await createKey(t.ctx, {
      ...base,
      name: "admin",
      scopes: ["ADMIN"],
      expiresAt: new Date(t.ctx.now().getTime() + DAY),
    });
    await createKey(t.ctx, { ...base, name: "soon gone", expiresAt: new Date(t.ctx.now().getTime() + 1000) });
    await createKey(t.ctx, { ...base, name: "no scopes", scopes: [] });
    const revoked = await createKey(t.ctx, { ...base, name: "revoked" });
    await revokeKey(t.ctx, { id: revoked.id, reason: "leaked" });
    ids.revoked = revoked.id;
    const rotated = await createKey(t.ctx, { ...base, name: "rotated", ownerId: "team-a" });
    await rotateKey(t.ctx, { keyId: rotated.id, graceMs: DAY });
    ids.rotated = rotated.id;
    const lapsed = await createKey(t.ctx, { ...base, name: "grace over" });
    await rotateKey(t.ctx, { keyId: lapsed.id, graceMs: 2000 });
    ids.lapsed = lapsed.id;
    t.advance(5000); // "soon gone" expired and the second rotation's grace is over, by the clock alone
  });
  afterAll(async () => t?.dispose());

  const views = async (filter: ApiKeyFilter) => JSON.stringify(await listKeys(t.ctx, filter));
  // Every key: the build's statements on a Db without Kysely (what a plain `keys list --json` runs).
  const written = (filter: ApiKeyFilter) =>
    Object.keys(filter).length === 0
      ? keysJsonWhere(preparedDb(t.ctx.sql), null, t.ctx.now())
      : keysJsonWhere(typed(t.ctx.sql), keyFilter(filter, t.ctx.now()), t.ctx.now());

  it("is byte for byte what the views serialise, for every filter", async () => {
    for (const filter of FILTERS) {
      const text = await written(filter);
      expect(text, JSON.stringify(filter)).not.toBeNull();
      expect(text).toBe(await views(filter));
      expect(await listKeysJson(t.ctx, filter)).toBe(text);
    }
    // The empty filter's condition gives the same text as the statements for every key.
    expect(await keysJsonWhere(typed(t.ctx.sql), keyFilter({}, t.ctx.now()), t.ctx.now())).toBe(await written({}));
    const all = JSON.parse((await written({}))!);
    expect(all).toHaveLength(10);
    // The clock's statuses are there, so the comparison covered them.
    const status = new Map(all.map((k: { id: string; name: string; status: string }) => [k.id, k.status]));
    expect(all.find((k: { name: string }) => k.name === "soon gone").status).toBe("EXPIRED");
    expect(status.get(ids.lapsed)).toBe("EXPIRED");
    expect(status.get(ids.rotated)).toBe("ROTATING");
    expect(status.get(ids.revoked)).toBe("REVOKED");
  });

  it("prints an empty list as []", async () => {
    expect(await written({ ownerId: "nobody" })).toBe("[]");
  });

  it("leaves metadata stored by hand to the views, which print what JSON.stringify does", async () => {
    const k = await createKey(t.ctx, { ...base, name: "by hand" });
    for (const stored of ['{"a":1.0}', '{"x":"\\u00e9"}', '{"b":1,"1":2}', '{ "a": 1 }']) {
      await t.ctx.sql.run(`UPDATE "ApiKey" SET "metadata" = ? WHERE "id" = ?`, [stored, k.id]);
      expect(await written({}), stored).toBeNull();
      expect(await written({ environment: "live" }), stored).toBeNull();
      expect(await listKeysJson(t.ctx, {})).toBe(await views({}));
    }
    // Text that is no JSON (or JSON5 only, which SQLite reads): the views report it, as before.
    for (const stored of ['{"a":', "{a:1}"]) {
      await t.ctx.sql.run(`UPDATE "ApiKey" SET "metadata" = ? WHERE "id" = ?`, [stored, k.id]);
      expect(await written({}), stored).toBeNull();
      expect(await written({ environment: "live" }), stored).toBeNull();
      await expect(listKeysJson(t.ctx, {})).rejects.toThrow(SyntaxError);
    }
    await t.ctx.sql.run(`UPDATE "ApiKey" SET "metadata" = ? WHERE "id" = ?`, ['{"a":1}', k.id]);
    expect(await written({})).toBe(await views({}));
  });

  it("leaves a date not in the adapter's stored form to the views", async () => {
    const k = await createKey(t.ctx, { ...base, name: "odd date" });
    await t.ctx.sql.run(`UPDATE "ApiKey" SET "lastUsedAt" = ? WHERE "id" = ?`, ["2026-01-15T12:00:00Z", k.id]);
    expect(await written({})).toBeNull();
    expect(await written({ environment: "live" })).toBeNull();
    const text = await listKeysJson(t.ctx, {});
    expect(text).toBe(await views({}));
    expect(JSON.parse(text).find((v: { id: string }) => v.id === k.id).lastUsedAt).toBe("2026-01-15T12:00:00.000Z");
    // A number where a date's text should be (written by hand): SQLite's GLOB reads it as text.
    await t.ctx.sql.run(`UPDATE "ApiKey" SET "lastUsedAt" = ? WHERE "id" = ?`, [1768478400000, k.id]);
    expect(await written({})).toBeNull();
    expect(await listKeysJson(t.ctx, {})).toBe(await views({}));
  });
});
