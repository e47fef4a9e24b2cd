import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { PROVIDERS, tempDb, tempDir, type TempDb } from "../helpers/databases.js";
import { startFakeProvider, type FakeProvider } from "../helpers/fake-provider.js";
import { intg } from "../helpers/spawn.js";

// `intg doctor` through bin/intg, on SQLite and PostgreSQL: it passes on a healthy installation,
// then each way of breaking one is made (through intg, or by a database writer going around it),
// doctor names the check with the right exit code, and the state is put back for the next one.

type Check = { name: string; status: string; reason: string; fix: string | null; credential: boolean };

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
const WRONG = generateMasterKey().bytes.toString("base64");
afterAll(() => home.dispose());

/** A statement run straight on the database, as a writer who bypasses intg would (`?` placeholders). */
async function write(db: TempDb, statement: string, params: unknown[] = []): Promise<unknown[]> {
  if (db.provider === "sqlite") {
    const conn = new Database(db.url.slice("file:".length));
    try {
      const s = conn.prepare(statement);
      return s.reader ? s.all(...params) : (s.run(...params), []);
    } finally {
      conn.close();
    }
  }
  let n = 0;
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (
      await client.query(
        statement.replace(/\?/g, () => `$${++n}`),
        params,
      )
    ).rows;
  } finally {
    await client.end();
  }
}

describe.each(PROVIDERS)("intg doctor on %s", (provider) => {
  let db: TempDb;
  let healthy: FakeProvider;
  let refusing: FakeProvider;
  const ids = { endpoint: "", connection: "" };
  const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_ACTOR: "e2e" };
  const run = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
    intg(["--db", db.url, ...args], { env: { ...env, ...options.env }, input: options.input });
  const ok = async (args: string[], input?: string) => {
    const r = await run([...args, "--json"], { input });
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout);
  };
  const doctor = async (args: string[] = [], extraEnv: Record<string, string> = {}) => {
    const r = await run(["doctor", "--json", ...args], { env: extraEnv });
    const checks = JSON.parse(r.stdout) as Check[];
    return { code: r.code, stderr: r.stderr, checks, by: (name: string) => checks.find((c) => c.name === name)! };
  };
  const failing = (checks: Check[]) => checks.filter((c) => c.status === "fail").map((c) => c.name);
  const stamp = (d: Date) => d.toISOString().replace("Z", "+00:00"); // as Prisma stores a DateTime on SQLite

  beforeAll(async () => {
    db = await tempDb(provider);
    healthy = await startFakeProvider();
    refusing = await startFakeProvider({ behaviour: "unauthorized" });
  });
  afterAll(async () => {
    await Promise.all([healthy?.close(), refusing?.close()]);
    await db?.dispose();
  });

  it("passes on a healthy installation: every check, exit 0", async () => {
    expect((await run(["db", "migrate"])).code).toBe(0);
    await ok(["keys", "create", "--name", "svc"]);
    await ok(["secrets", "set", "stripe", "--type", "api_key"], "sk-value");
    const ep = await ok([
      "webhooks",
      "endpoints",
      "create",
      "--url",
      "http://127.0.0.1:9/hook",
      "--allow-private-network",
    ]);
    ids.endpoint = ep.id;
    for (const [slug, fake] of [
      ["healthy", healthy],
      ["refusing", refusing],
    ] as const) {
      const base = ["providers", "create", "--slug", slug, "--name", slug, "--category", "other"];
      await ok([...base, "--base-url", fake.url, "--auth", "bearer_token", "--allow-private-network"]);
    }
    await ok(["connections", "create", "--provider", "healthy", "--env", "production", "--name", "main"], "tok");
    expect((await run(["connections", "check", "--all"])).code).toBe(0);

    const r = await doctor();
    expect(r.code, r.stderr).toBe(0);
    expect(r.checks.map((c) => [c.name, c.status])).toEqual(
      [
        "database",
        "master-key",
        "audit-chain",
        "keys-expiring",
        "key-rotations",
        "webhook-endpoints",
        "webhook-backlog",
        "connections",
        "sync-jobs",
      ].map((name) => [name, "pass"]),
    );
    const human = await run(["doctor"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^✓ database +\S/m);
    expect(human.stdout.trim().split("\n")).toHaveLength(9);
  });

  it("warns, without failing, about a key expiring within --expiring-within", async () => {
    const key = await ok(["keys", "create", "--name", "soon", "--expires-in", "3d"]);
    const r = await doctor();
    expect(r.code).toBe(0);
    expect(r.by("keys-expiring")).toMatchObject({ status: "warn", fix: `intg --db ${db.url} keys rotate ${key.id}` });
    expect((await doctor(["--expiring-within", "1d"])).by("keys-expiring").status).toBe("pass");
    const bad = await run(["doctor", "--expiring-within", "soon"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--expiring-within");
  });

  it("fails webhook-endpoints (3) for a disabled endpoint, naming the command that enables it", async () => {
    expect((await run(["webhooks", "endpoints", "disable", ids.endpoint, "--yes"])).code).toBe(0);
    const r = await doctor();
    expect(r.code).toBe(3);
    expect(failing(r.checks)).toEqual(["webhook-endpoints"]);
    expect(r.by("webhook-endpoints").fix).toBe(`intg --db ${db.url} webhooks endpoints enable ${ids.endpoint}`);
    expect(JSON.parse(r.stderr).error.code).toBe("CHECK_FAILED");
    const human = await run(["doctor"]);
    expect(human.stdout).toMatch(/^✗ webhook-endpoints +1 endpoint disabled/m);
    expect(human.stdout).toContain(`fix: intg --db ${db.url} webhooks endpoints enable ${ids.endpoint}`);
    expect((await run(["webhooks", "endpoints", "enable", ids.endpoint])).code).toBe(0);
    expect((await doctor()).code).toBe(0);
  });

  it("fails sync-jobs (3) for a running job whose checkpoint stopped moving", async () => {
    const [conn] = await ok(["connections", "list"]);
    ids.connection = conn.id;
    const hourAgo = stamp(new Date(Date.now() - 3_600_000));
    await write(
      db,
      `INSERT INTO "IntegrationSyncJob" ("id","connectionId","resource","full","status","leaseOwner","heartbeatAt",
        "startedAt") VALUES (?,?,?,false,'running',?,?,?)`,
      ["sync_01STALLED00000000000000000", conn.id, "contacts", "elsewhere:1", hourAgo, hourAgo],
    );
    const r = await doctor();
    expect(r.code).toBe(3);
    expect(failing(r.checks)).toEqual(["sync-jobs"]);
    expect(r.by("sync-jobs").fix).toBe(`intg --db ${db.url} connections sync ${conn.id} --resource contacts`);
    expect((await doctor(["--stalled-after", "2h"])).code).toBe(0);
    await write(db, `UPDATE "IntegrationSyncJob" SET "status" = 'failed'`);
    expect((await doctor()).code).toBe(0);
  });

  it("fails connections (4) for a credential the provider refuses, at the last check and with --check", async () => {
    const bad = await ok(
      ["connections", "create", "--provider", "refusing", "--env", "production", "--name", "x"],
      "t",
    );
    const unchecked = await doctor();
    expect(unchecked.code).toBe(0); // never checked yet: a warning
    expect(unchecked.by("connections")).toMatchObject({
      status: "warn",
      fix: `intg --db ${db.url} connections check --all`,
    });

    const now = await doctor(["--check"]);
    expect(now.code).toBe(4);
    expect(failing(now.checks)).toEqual(["connections"]);
    expect(now.by("connections")).toMatchObject({
      credential: true,
      fix: `intg --db ${db.url} connections set-credentials ${bad.id}`,
    });
    expect(now.by("connections").reason).toContain(`${bad.id} (refusing/x)`);
    expect(JSON.parse(now.stderr).error.code).toBe("CHECK_CREDENTIALS");
    expect(refusing.requests.length).toBeGreaterThan(0);

    const stored = await doctor(); // the check was recorded: doctor without --check sees it too
    expect(stored.code).toBe(4);
    expect(stored.by("connections").reason).toContain("at their last check");
    expect((await run(["connections", "disable", bad.id])).code).toBe(0);
    expect((await doctor()).code).toBe(0);
  });

  it("fails master-key (4) under a master key that is not the one the secrets were sealed with", async () => {
    const r = await doctor([], { INTG_MASTER_KEY: WRONG });
    expect(r.code).toBe(4);
    expect(r.by("master-key")).toMatchObject({ status: "fail", credential: true });
    expect(r.by("master-key").reason).toContain("does not hold");
    expect(JSON.stringify(r.checks)).not.toContain(WRONG);
    const none = await doctor([], { INTG_MASTER_KEY: "" });
    expect(none.code).toBe(4);
    expect(none.by("master-key").reason).toContain("no master key");
  });

  it("fails audit-chain (3) when a database writer edits an audit event", async () => {
    const [event] = (await write(db, `SELECT "id", "actor" FROM "AuditEvent" WHERE "seq" = 2`)) as {
      id: string;
      actor: string;
    }[];
    await write(db, `UPDATE "AuditEvent" SET "actor" = 'mallory' WHERE "seq" = 2`);
    const r = await doctor();
    expect(r.code).toBe(3);
    expect(failing(r.checks)).toEqual(["audit-chain"]);
    expect(r.by("audit-chain").reason).toContain(`event #2 (${event!.id})`);
    expect(r.by("audit-chain").reason).toContain("edited");
    await write(db, `UPDATE "AuditEvent" SET "actor" = ? WHERE "seq" = 2`, [event!.actor]);
    expect((await doctor()).code).toBe(0);
  });

  it("fails database (3) with a migration pending, skips the rest, naming db migrate with the same --db", async () => {
    const [last] = (await write(
      db,
      `SELECT "migration_name" FROM "_prisma_migrations" ORDER BY "migration_name" DESC LIMIT 1`,
    )) as { migration_name: string }[];
    await write(db, `DELETE FROM "_prisma_migrations" WHERE "migration_name" = ?`, [last!.migration_name]);
    const r = await doctor();
    expect(r.code).toBe(3);
    expect(r.by("database")).toMatchObject({ status: "fail", fix: `intg --db ${db.url} db migrate` });
    expect(r.by("database").reason).toContain(last!.migration_name);
    expect(new Set(r.checks.slice(1).map((c) => c.status))).toEqual(new Set(["skip"]));
    const human = await run(["doctor"]);
    expect(human.code).toBe(3);
    expect(human.stdout).toContain(`fix: intg --db ${db.url} db migrate`);
    expect(human.stderr).toContain("1 of 9 checks failed: database.");
  });
});
