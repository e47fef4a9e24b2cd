import { describe, expect, it } from "vitest";
import { openIntg } from "../../src/index.js";

// The library's errors name what the app wrote, not the CLI's flags.
describe("openIntg on a URL it cannot use", () => {
  it("names openIntg(url), not --db, and is a usage error", async () => {
    for (const [url, said] of [
      ["", "openIntg(url) names no SQLite file."],
      ["file:", "openIntg(url) names no SQLite file."],
      ["mysql://db/x", 'openIntg(url) uses the unsupported scheme "mysql:".'],
    ] as const) {
      const error = await openIntg(url).catch((e: unknown) => e);
      expect(error, url).toMatchObject({ kind: "usage" });
      expect((error as Error).message, url).toContain(said);
      expect((error as Error).message).not.toContain("--db");
    }
  });
});
