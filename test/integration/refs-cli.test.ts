import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPendingMigrations } from "../../src/db/migrations.js";
import { parseDbUrl } from "../../src/db/url.js";
import { createTestIO, runCli, testDeps } from "../helpers/io.js";
import { PROVIDERS, tempDb, tempDir, type TempDb } from "../helpers/databases.js";
import { seedTwoConnectionsAt } from "../helpers/ref-fixtures.js";

// The refs commands in-process, where the TTY flags can be set: the progress bar.
describe.each(PROVIDERS)("intg refs commands on %s", (provider) => {
  let temp: TempDb;
  const files = tempDir();
  const cli = (args: string[], tty: Parameters<typeof createTestIO>[0] = {}) =>
    runCli(
      [...args, "--db", temp.url],
      testDeps({ io: createTestIO(tty), env: { HOME: "/nonexistent-home", INTG_ACTOR: "cli-test" } }),
    );

  beforeAll(async () => {
    temp = await tempDb(provider);
    await applyPendingMigrations(parseDbUrl(temp.url, "--db", process.cwd()));
    await seedTwoConnectionsAt(temp.url);
  });
  afterAll(async () => {
    await temp?.dispose();
    files.dispose();
  });

  it("draws a progress bar on stderr only on a terminal, never on stdout", async () => {
    const file = join(files.path, "refs.ndjson");
    writeFileSync(
      file,
      Array.from({ length: 5000 }, (_, i) =>
        JSON.stringify({ entityType: "user", entityId: String(i), externalType: "contact", externalId: `c${i}` }),
      ).join("\n"),
    );
    const onTty = await cli(["refs", "import", file, "--connection", "conn_hubspot", "--dry-run"], {
      stderrIsTTY: true,
    });
    expect(onTty.code, onTty.stderr).toBe(0);
    expect(onTty.stderr).toContain("Importing");
    expect(onTty.stdout).not.toContain("Importing");
    const piped = await cli(["refs", "import", file, "--connection", "conn_hubspot"]);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).not.toContain("Importing");
    expect(piped.stdout).toMatch(/^inserted:\t5000$/m);
    const exported = await cli(["refs", "export"], { stderrIsTTY: true });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain("Exporting");
    expect(exported.stdout.trim().split("\n")).toHaveLength(5000);
    expect((await cli(["refs", "export"])).stderr).toBe("Exported 5000 reference(s).\n");
  });
});
