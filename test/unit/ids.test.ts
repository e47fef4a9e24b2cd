import { describe, expect, it } from "vitest";
import { ID_PREFIXES, idKind, newId } from "../../src/lib/ids.js";

describe("ids", () => {
  it("are prefixed by kind and 26 Crockford base32 characters", () => {
    const id = newId("endpoint");
    expect(id).toMatch(/^ep_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(idKind(id)).toBe("endpoint");
    expect(idKind("nope_123")).toBeUndefined();
  });

  it("sort by creation time", () => {
    const a = newId("apiKey", new Date("2026-01-01T00:00:00Z"));
    const b = newId("apiKey", new Date("2026-01-01T00:00:00.001Z"));
    const c = newId("apiKey", new Date("2027-06-01T00:00:00Z"));
    expect([c, a, b].sort()).toEqual([a, b, c]);
  });

  it("do not collide within one millisecond", () => {
    const now = new Date();
    const ids = new Set(Array.from({ length: 10_000 }, () => newId("event", now)));
    expect(ids.size).toBe(10_000);
  });

  it("use distinct prefixes for every kind", () => {
    const prefixes = Object.values(ID_PREFIXES);
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });
});
