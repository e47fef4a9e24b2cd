import { describe, expect, it } from "vitest";
import { generateKey, hashKey, hashesEqual, identifyKey } from "../../src/lib/api-key.js";

describe("API key format", () => {
  it("makes prefixed keys with 256 random bits and a checksum, hashed with SHA-256", () => {
    const k = generateKey("intg", "live");
    expect(k.key).toMatch(/^intg_live_[0-9A-Za-z]{49}$/);
    expect(k.hash).toBe(hashKey(k.key));
    expect(k.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(k.key.startsWith(k.start)).toBe(true);
    expect(k.key.endsWith(k.end)).toBe(true);
    expect(k.start).toHaveLength("intg_live_".length + 4);
    expect(identifyKey(k.key)).toEqual({ wellFormed: true, prefix: "intg", environment: "live", formatVersion: 1 });
  });

  it("never repeats a key", () => {
    const keys = new Set(Array.from({ length: 2000 }, () => generateKey("acme", "test").key));
    expect(keys.size).toBe(2000);
  });

  it("tells a mistyped or truncated key offline", () => {
    const { key } = generateKey("intg", "test");
    const last = key.at(-1)!;
    const typo = key.slice(0, -1) + (last === "a" ? "b" : "a");
    expect(identifyKey(typo)).toMatchObject({ wellFormed: false, reason: expect.stringContaining("checksum") });
    expect(identifyKey(key.slice(0, -2))).toMatchObject({
      wellFormed: false,
      reason: expect.stringContaining("length"),
    });
    expect(identifyKey("sk_live_abc")).toMatchObject({ wellFormed: false });
    expect(identifyKey("hello")).toMatchObject({ wellFormed: false, reason: expect.stringContaining("format") });
    // A flipped character inside the random part also breaks the checksum.
    const mid = key.slice(0, 20) + (key[20] === "x" ? "y" : "x") + key.slice(21);
    expect(identifyKey(mid).wellFormed).toBe(false);
  });

  it("compares hashes in constant time and by value", () => {
    const h = hashKey("x");
    expect(hashesEqual(h, hashKey("x"))).toBe(true);
    expect(hashesEqual(h, hashKey("y"))).toBe(false);
    expect(hashesEqual(h, "ab")).toBe(false);
  });
});
