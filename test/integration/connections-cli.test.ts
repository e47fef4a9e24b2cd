import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/databases.js";
import { startFakeProvider } from "../helpers/fake-provider.js";
import { createTestIO, runCli, testDeps } from "../helpers/io.js";

// The check command in process, for what a spawned bin cannot show: its progress bar on a terminal.
describe("connections check on a terminal", () => {
  const home = tempDir();
  const env = { HOME: home.path, XDG_DATA_HOME: join(home.path, "data") };
  afterAll(() => home.dispose());
  const cli = (argv: string[], tty = false) =>
    runCli(argv, testDeps({ env, io: createTestIO({ stderrIsTTY: tty }), now: () => new Date() }));

  it("draws a progress bar on stderr only when stderr is a TTY, and never under --json", async () => {
    const fake = await startFakeProvider({ delayMs: 50 });
    try {
      expect(
        (
          await cli([
            "providers",
            "create",
            "--slug",
            "open",
            "--name",
            "Open",
            "--category",
            "other",
            "--base-url",
            fake.url,
            "--auth",
            "none",
            "--allow-private-network",
          ])
        ).code,
      ).toBe(0);
      for (const name of ["a", "b", "c"])
        expect(
          (await cli(["connections", "create", "--provider", "open", "--env", "development", "--name", name])).code,
        ).toBe(0);
      const tty = await cli(["connections", "check", "--all"], true);
      expect(tty.code, tty.stderr).toBe(0);
      expect(tty.stderr).toContain("Checking");
      const plain = await cli(["connections", "check", "--all"]);
      expect(plain.stderr).not.toContain("Checking");
      // The table names each connection's provider and name, in the same columns on and off a TTY.
      // Piped: tab-separated rows without the header (it shows on a terminal: test/e2e/tables.test.ts).
      expect(plain.stdout).toMatch(/^conn_\w+\topen\ta\thealthy\t/m);
      const json = await cli(["connections", "check", "--all", "--json"], true);
      expect(json.stderr).not.toContain("Checking");
      expect(JSON.parse(json.stdout)).toHaveLength(3);
    } finally {
      await fake.close();
    }
  });
});
