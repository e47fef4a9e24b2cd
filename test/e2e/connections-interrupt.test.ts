import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/databases.js";
import { startFakeProvider } from "../helpers/fake-provider.js";
import { BIN, intg } from "../helpers/spawn.js";

// Ctrl-C during a check against a provider that never answers: the CLI stops at once (exit 130)
// instead of waiting out the timeout, and records nothing (a half-run gate proves nothing).
describe("connections check interrupted", () => {
  const home = tempDir();
  afterAll(() => home.dispose());

  it("exits 130 promptly on SIGINT and writes no health check", async () => {
    const env = { PATH: process.env.PATH ?? "", HOME: home.path, XDG_DATA_HOME: join(home.path, "data") };
    const fake = await startFakeProvider({ behaviour: "hang" });
    try {
      expect(
        (
          await intg(
            [
              "providers",
              "create",
              "--slug",
              "slow",
              "--name",
              "Slow",
              "--category",
              "other",
              "--base-url",
              fake.url,
              "--auth",
              "none",
              "--allow-private-network",
            ],
            { env },
          )
        ).code,
      ).toBe(0);
      const created = await intg(
        ["connections", "create", "--provider", "slow", "--env", "production", "--name", "x", "--json"],
        { env },
      );
      const id = JSON.parse(created.stdout).id;
      const child = spawn(process.execPath, [BIN, "connections", "check", "--all", "--timeout", "30s"], {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      // Wait until the provider has the request, then interrupt.
      for (let i = 0; i < 100 && fake.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      const started = Date.now();
      child.kill("SIGINT");
      const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
      expect(code, stderr).toBe(130);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(stderr).toMatch(/Interrupted after 0 of 1 checks; none was recorded/);
      const history = await intg(["connections", "checks", id, "--json"], { env });
      expect(JSON.parse(history.stdout)).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});
