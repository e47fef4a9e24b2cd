import { readdirSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { intg } from "../helpers/spawn.js";

// A hint that names a command keeps the invocation's --db: `Run: intg db migrate` under
// `intg --db <url> db status` would otherwise migrate the embedded file (issue 15).

const home = tempDir();
afterAll(() => home.dispose());

/** The command a hint line names, split as a shell would split this simple form. */
function hintedArgs(stderr: string): string[] {
  const line = stderr.split("\n").find((l) => l.startsWith("Run: intg "));
  expect(line, stderr).toBeDefined();
  const words = [...line!.slice("Run: intg ".length).matchAll(/'([^']*)'|(\S+)/g)];
  return words.map((m) => m[1] ?? m[2]!);
}

describe.each(PROVIDERS)("hints under --db on %s", (provider) => {
  it("name the same database, and following one acts on it", async () => {
    const db = await tempDb(provider);
    const env = { HOME: home.path };
    try {
      const status = await intg(["--db", db.url, "db", "status"], { env });
      expect(status.code, status.stderr).toBe(8);
      const args = hintedArgs(status.stderr);
      expect(args.slice(0, 2)).toEqual(["--db", provider === "sqlite" ? db.url : expect.any(String)]);
      expect(args.slice(2)).toEqual(["db", "migrate"]);
      if (provider === "sqlite") {
        const followed = await intg(args, { env });
        expect(followed.code, followed.stderr).toBe(0);
        expect((await intg(["--db", db.url, "db", "status"], { env })).code).toBe(0);
        // The embedded file (under HOME) was never created.
        expect(readdirSync(home.path, { recursive: true }).filter((f) => String(f).endsWith(".db"))).toEqual([]);
      }
    } finally {
      await db.dispose();
    }
  });
});

describe.runIf(PROVIDERS.includes("postgresql"))("a hint's URL", () => {
  it("never prints the password given in --db", async () => {
    const db = await tempDb("postgresql");
    try {
      const url = new URL(db.url);
      url.password = "s3cret-pw";
      const status = await intg(["--db", url.toString(), "db", "status"], { env: { HOME: home.path } });
      expect(status.code, status.stderr).toBe(8);
      expect(status.stderr).not.toContain("s3cret-pw");
      expect(hintedArgs(status.stderr)[1]).toContain(":****@");
    } finally {
      await db.dispose();
    }
  });
});
