import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSql } from "../../src/db/sql.js";
import { parseDbUrl } from "../../src/db/url.js";
import { PROVIDERS } from "../helpers/databases.js";
import { seededBin } from "../helpers/ref-fixtures.js";
import { BIN } from "../helpers/spawn.js";

const ROWS = 300_000; // three transactions of 100,000: the stop lands after the first commit

describe.each(PROVIDERS)("intg refs import interrupted on %s", (provider) => {
  const bin = seededBin(provider);
  beforeAll(bin.setup);
  afterAll(bin.dispose);

  it("stops on SIGTERM after the batch in hand, exits 130 keeping what was committed, and a second run carries on", async () => {
    const file = join(bin.home, "many.csv");
    writeFileSync(
      file,
      "entityType,entityId,externalType,externalId\n" +
        Array.from({ length: ROWS }, (_, i) => `user,${i},contact,c${i}`).join("\n"),
    );
    const sql = await openSql(parseDbUrl(bin.url(), "--db", process.cwd()));
    const count = async () =>
      Number((await sql.get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "ExternalReference"`))!.n);
    try {
      const child = spawn(process.execPath, [BIN, "refs", "import", file, "--connection", "conn_hubspot"], {
        env: { PATH: process.env.PATH ?? "", ...bin.env() },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
      // The first commit proves the import is under way (and the signal handlers installed).
      for (let i = 0; i < 600 && (await count()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
      child.kill("SIGTERM");
      expect(await exited, stderr).toBe(130);
      expect(stderr).toMatch(
        /Interrupted after \d+ row\(s\): \d+ row\(s\) were written; importing the file again carries on/,
      );
      const kept = await count();
      expect(kept).toBeGreaterThanOrEqual(100_000);
      expect(kept).toBeLessThan(ROWS);
      const again = await bin.run(["refs", "import", file, "--connection", "conn_hubspot", "--json"]);
      expect(again.code, again.stderr).toBe(0);
      const ops = again.stdout.trim().split("\n");
      expect(ops).toHaveLength(ROWS + 1); // a line per row, then the summary
      expect(JSON.parse(ops.at(-1)!)).toMatchObject({
        read: ROWS,
        unchanged: kept,
        inserted: ROWS - kept,
        interrupted: false,
      });
      expect(await count()).toBe(ROWS);
    } finally {
      await sql.close();
    }
  }, 120_000);
});
