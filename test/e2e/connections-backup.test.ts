import { randomBytes } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PG_BASE_URL, tempDir, tempPostgres, type TempDb } from "../helpers/databases.js";
import { startFakeProvider } from "../helpers/fake-provider.js";
import { intg } from "../helpers/spawn.js";

// Backup then restore into a fresh database (another master key; PostgreSQL when available)
// reproduces the same providers and connections, and credentials that still work.
describe("connections backup and restore through bin/intg", () => {
  const home = tempDir();
  let pg: TempDb | undefined;
  afterAll(async () => {
    await pg?.dispose();
    home.dispose();
  });

  it("round-trips providers, connections and working credentials; conflicts and a wrong passphrase write nothing", async () => {
    const token = `tok-${randomBytes(12).toString("hex")}`;
    const fake = await startFakeProvider({ accept: (r) => r.headers.authorization === `Bearer ${token}` });
    try {
      const source = {
        HOME: home.path,
        INTG_DATABASE_URL: `file:${join(home.path, "source.db")}`,
        INTG_MASTER_KEY: randomBytes(32).toString("base64"),
      };
      let target: Record<string, string> = {
        HOME: home.path,
        INTG_DATABASE_URL: `file:${join(home.path, "target.db")}`,
        INTG_MASTER_KEY: randomBytes(32).toString("base64"),
      };
      if (PG_BASE_URL) {
        pg = await tempPostgres();
        target = { ...target, INTG_DATABASE_URL: pg.url };
      }
      const ok = async (env: Record<string, string>, args: string[], input?: string) => {
        const r = await intg(args, { env, input });
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
        return r;
      };
      for (const env of [source, target]) await ok(env, ["db", "migrate"]);
      await ok(source, [
        "providers",
        "create",
        "--slug",
        "acme",
        "--name",
        "Acme",
        "--category",
        "crm",
        "--base-url",
        fake.url,
        "--auth",
        "bearer_token",
        "--allow-private-network",
        "--rate-limit",
        "120",
      ]);
      await ok(source, ["providers", "create", "--from-template", "stripe"]);
      const conn = JSON.parse(
        (
          await ok(
            source,
            [
              "connections",
              "create",
              "--provider",
              "acme",
              "--env",
              "production",
              "--name",
              "main",
              "--config",
              "team=ops",
              "--json",
            ],
            token,
          )
        ).stdout,
      );
      await ok(source, ["connections", "check", conn.id]);

      const file = join(home.path, "backup.json");
      const passphrase = "correct horse battery staple";
      expect(
        (await intg(["connections", "backup", "--out", file, "--include-secrets"], { env: source, input: "short" }))
          .code,
      ).toBe(2);
      await ok(source, ["connections", "backup", "--out", file, "--include-secrets"], passphrase);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, "utf8")).not.toContain(token);

      const wrong = await intg(["connections", "restore", file], { env: target, input: "not the passphrase" });
      expect(wrong.code).toBe(4);
      expect(JSON.parse((await ok(target, ["connections", "list", "--json"])).stdout)).toEqual([]);
      const dry = JSON.parse(
        (await ok(target, ["connections", "restore", file, "--dry-run", "--json"], passphrase)).stdout,
      );
      expect(dry).toMatchObject({ dryRun: true, credentials: 1, conflicts: [] });
      expect(JSON.parse((await ok(target, ["providers", "list", "--json"])).stdout)).toEqual([]);

      const report = JSON.parse((await ok(target, ["connections", "restore", file, "--json"], passphrase)).stdout);
      expect(report).toMatchObject({ dryRun: false, credentials: 1, created: { connections: [conn.id] } });
      const strip = (v: Record<string, unknown>) => ({ ...v, credential: null, updatedAt: null });
      const list = async (env: Record<string, string>, noun: string) =>
        JSON.parse((await ok(env, [noun, "list", "--json"])).stdout);
      expect(await list(target, "providers")).toEqual(await list(source, "providers"));
      expect((await list(target, "connections")).map(strip)).toEqual((await list(source, "connections")).map(strip));
      const checked = await ok(target, ["connections", "check", "--all", "--json"]);
      expect(JSON.parse(checked.stdout)).toMatchObject([{ connectionId: conn.id, status: "HEALTHY" }]);

      // Again: everything is already there, nothing is a conflict.
      expect(
        JSON.parse((await ok(target, ["connections", "restore", file, "--json"], passphrase)).stdout),
      ).toMatchObject({ created: { providers: [], connections: [] }, conflicts: [] });
      // A database where the slug "acme" is another provider: a conflict, nothing written.
      const other = {
        HOME: home.path,
        INTG_DATABASE_URL: `file:${join(home.path, "other.db")}`,
        INTG_MASTER_KEY: randomBytes(32).toString("base64"),
      };
      await ok(other, ["db", "migrate"]);
      await ok(other, [
        "providers",
        "create",
        "--slug",
        "acme",
        "--name",
        "Other",
        "--category",
        "crm",
        "--base-url",
        "https://other.example",
        "--auth",
        "none",
      ]);
      const conflict = await intg(["connections", "restore", file, "--json"], { env: other, input: passphrase });
      expect(conflict.code).toBe(6);
      expect(JSON.parse(conflict.stderr).error.message).toMatch(/slug "acme"/);
      expect((await list(other, "providers")).map((p: { slug: string }) => p.slug)).toEqual(["acme"]);
      expect(await list(other, "connections")).toEqual([]);
      const bad = join(home.path, "bad.json");
      writeFileSync(
        bad,
        JSON.stringify({
          format: "intg-integrations-backup",
          version: 1,
          createdAt: "2026-01-01T00:00:00Z",
          providers: [],
          connections: [{ id: "x" }],
          mappings: [],
          secrets: null,
        }),
      );
      const invalid = await intg(["connections", "restore", bad], { env: other });
      expect(invalid.code).toBe(2);
      expect(invalid.stderr).toMatch(/connections\[0\]\.id/);
    } finally {
      await fake.close();
    }
  });
});
