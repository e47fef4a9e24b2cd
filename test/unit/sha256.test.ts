import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/sha256.js";

// sha256.ts hashes short texts in JavaScript until node:crypto is loaded or it has hashed a few,
// then with Node's: both must give Node's digest, whatever the text.
describe("sha256Hex", () => {
  const texts = [
    "",
    "abc",
    "intg_live_0123456789abcdefghijABCDEFGHIJ0123456789abcdefghijAB",
    "é😀\u0000\u2028",
    "\ud800 lone surrogate", // encoded as U+FFFD by both
    ...[55, 56, 63, 64, 65, 119, 1024, 1025, 5000].map((n) => "x".repeat(n)),
  ];

  it("gives Node's digest for every text, before and after it switches to Node's hash", () => {
    for (let round = 0; round < 3; round++) {
      for (const t of texts)
        expect(sha256Hex(t), `${t.length} chars`).toBe(createHash("sha256").update(t).digest("hex"));
    }
  });
});
