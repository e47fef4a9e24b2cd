import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { PROVIDERS, tempDir, tempDb, type TempDb } from "../helpers/databases.js";
import { fakeProviders, type FakeProvider } from "../helpers/fake-provider.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { intg } from "../helpers/spawn.js";

// DESIGN §6: someone who can write to the database but holds no master key must not be able to
// send a credential, or a signed delivery, where they like. Each attack below edits the rows
// directly, as such a writer would, and the command must refuse (exit 4) with nothing sent.

const TOKEN = "tok-6f1e2d3c4b5a69788796a5b4";

describe.each(PROVIDERS)("a database writer without the master key, on %s", (provider) => {
  const home = tempDir();
  const fakes = fakeProviders();
  let db: TempDb;
  let env: Record<string, string>;
  let legit: FakeProvider;
  let attacker: FakeProvider;
  let receiver: Receiver;
  let rogue: Receiver;
  const ids: Record<string, string> = {};

  const run = (args: string[], input?: string) => intg([...args, "--db", db.url], { env, input });
  const json = async (args: string[], input?: string) => {
    const r = await run([...args, "--json"], input);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };
  async function exec(statement: string, params: unknown[] = []): Promise<void> {
    if (provider === "sqlite") {
      const d = new Database(db.url.slice("file:".length));
      d.prepare(statement.replace(/\$\d+/g, "?")).run(...params);
      d.close();
      return;
    }
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query(statement, params);
    await c.end();
  }
  /** Runs an attack, checks the request is refused with nothing sent, then undoes it. */
  async function refused(
    attack: [string, unknown[]],
    undo: [string, unknown[]],
    args: string[],
    names: RegExp,
  ): Promise<void> {
    const before = legit.requests.length;
    await exec(...attack);
    const r = await run(args);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(names);
    expect(r.stderr).not.toContain(TOKEN);
    expect(attacker.requests).toHaveLength(0);
    expect(legit.requests.length).toBe(before);
    await exec(...undo);
  }

  beforeAll(async () => {
    db = await tempDb(provider);
    env = { HOME: home.path, INTG_MASTER_KEY: generateMasterKey().bytes.toString("base64") };
    legit = await fakes.start({ accept: (r) => r.headers.authorization === `Bearer ${TOKEN}` });
    attacker = await fakes.start();
    receiver = await startReceiver();
    rogue = await startReceiver();
    expect((await run(["db", "migrate"])).code).toBe(0);
    for (const [slug, url] of [
      ["legit", legit.url],
      ["other", legit.url],
    ] as const) {
      const p = await json([
        "providers",
        "create",
        "--slug",
        slug,
        "--name",
        slug,
        "--category",
        "other",
        "--base-url",
        url,
        "--auth",
        "bearer_token",
        "--allow-private-network",
      ]);
      ids[slug] = p.id;
    }
    ids.conn = (
      await json(["connections", "create", "--provider", "legit", "--env", "production", "--name", "main"], TOKEN)
    ).id;
    ids.otherConn = (
      await json(
        ["connections", "create", "--provider", "other", "--env", "production", "--name", "other"],
        "other-secret-value",
      )
    ).id;
    const ep = await json(["webhooks", "endpoints", "create", "--url", receiver.url, "--allow-private-network"]);
    ids.endpoint = ep.id;
    receiver.secrets = [ep.secret];
  });
  afterAll(async () => {
    await fakes.closeAll();
    await receiver?.close();
    await rogue?.close();
    await db?.dispose();
    home.dispose();
  });

  it("sends through an untouched connection", async () => {
    expect((await run(["connections", "request", ids.conn!, "GET", "/x"])).code).toBe(0);
    expect(legit.requests).toHaveLength(1);
  });

  it("refuses a provider whose baseUrl was changed, naming the row, before any credential is decrypted", async () => {
    await refused(
      [`UPDATE "IntegrationProvider" SET "baseUrl" = $1 WHERE "id" = $2`, [attacker.url, ids.legit]],
      [`UPDATE "IntegrationProvider" SET "baseUrl" = $1 WHERE "id" = $2`, [legit.url, ids.legit]],
      ["connections", "request", ids.conn!, "GET", "/x"],
      new RegExp(`Provider ${ids.legit} failed its integrity check`),
    );
  });

  it("refuses a connection repointed at another secret", async () => {
    const c = await json(["connections", "show", ids.otherConn!]);
    const mine = await json(["connections", "show", ids.conn!]);
    await refused(
      [`UPDATE "IntegrationConnection" SET "credentialSecretId" = $1 WHERE "id" = $2`, [c.credential.id, ids.conn]],
      [`UPDATE "IntegrationConnection" SET "credentialSecretId" = $1 WHERE "id" = $2`, [mine.credential.id, ids.conn]],
      ["connections", "request", ids.conn!, "GET", "/x"],
      new RegExp(`Connection ${ids.conn} failed its integrity check`),
    );
  });

  it("refuses a token URL or auth placement changed in the provider's config, and a row whose MAC was cleared", async () => {
    const config = JSON.stringify({ auth: { tokenUrl: `${attacker.url}/token` } });
    const original = await readConfig(ids.legit!);
    await refused(
      [`UPDATE "IntegrationProvider" SET "config" = $1 WHERE "id" = $2`, [config, ids.legit]],
      [`UPDATE "IntegrationProvider" SET "config" = $1 WHERE "id" = $2`, [original, ids.legit]],
      ["connections", "request", ids.conn!, "GET", "/x"],
      /integrity check/,
    );
    const mac = await readColumn("IntegrationConnection", "configMac", ids.conn!);
    await refused(
      [`UPDATE "IntegrationConnection" SET "configMac" = NULL WHERE "id" = $1`, [ids.conn]],
      [`UPDATE "IntegrationConnection" SET "configMac" = $1 WHERE "id" = $2`, [mac, ids.conn]],
      ["connections", "request", ids.conn!, "GET", "/x"],
      /has no integrity MAC/,
    );
    expect((await run(["connections", "request", ids.conn!, "GET", "/x"])).code).toBe(0);
  });

  it("does not sign or send a delivery to an endpoint URL changed in the database", async () => {
    await exec(`UPDATE "WebhookEndpoint" SET "url" = $1 WHERE "id" = $2`, [rogue.url, ids.endpoint]);
    expect((await run(["webhooks", "send", "order.placed", "--allow-unknown-type", "--data", '{"id":1}'])).code).toBe(
      0,
    );
    expect((await run(["webhooks", "worker", "--once"])).code).toBe(0);
    expect(rogue.received).toHaveLength(0);
    const [d] = await json(["webhooks", "deliveries", "list"]);
    expect(d).toMatchObject({
      status: "PENDING",
      attemptCount: 1,
      lastError: expect.stringContaining("failed its integrity check"),
    });
    const ping = await run(["webhooks", "health", "--ping", "--endpoint", ids.endpoint!]);
    expect(rogue.received).toHaveLength(0);
    expect(ping.code).not.toBe(0);
    await exec(`UPDATE "WebhookEndpoint" SET "url" = $1 WHERE "id" = $2`, [receiver.url, ids.endpoint]);
    expect((await run(["webhooks", "replay", d.id, "--yes"])).code).toBe(0);
    expect(receiver.received.map((r) => r.valid)).toEqual([true]);
  });

  it("refuses an edited backup (exit 4), and restores an unedited one into another database", async () => {
    const file = join(home.path, `backup-${provider}.json`);
    expect((await run(["connections", "backup", "--out", file])).code).toBe(0);
    const other = await tempDb(provider);
    try {
      const into = (args: string[]) => intg([...args, "--db", other.url], { env });
      expect((await into(["db", "migrate"])).code).toBe(0);
      const text = readFileSync(file, "utf8");
      writeFileSync(file, text.replace(legit.url, attacker.url));
      const r = await into(["connections", "restore", file]);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toContain("altered");
      expect((await into(["providers", "list", "--json"])).stdout.trim()).toBe("[]");
      writeFileSync(file, text);
      expect((await into(["connections", "restore", file])).code).toBe(0);
    } finally {
      await other.dispose();
    }
  });

  it("refuses a configuration write under a master key that opens nothing here", async () => {
    const stranger = { ...env, INTG_MASTER_KEY: generateMasterKey().bytes.toString("base64") };
    const r = await intg(
      [
        "providers",
        "create",
        "--slug",
        "x",
        "--name",
        "x",
        "--category",
        "other",
        "--base-url",
        "https://example.com",
        "--auth",
        "none",
        "--db",
        db.url,
      ],
      { env: stranger },
    );
    expect(r.code, r.stderr).toBe(4);
    expect((await json(["providers", "list"])).map((p: { slug: string }) => p.slug)).toEqual(["legit", "other"]);
  });

  async function readColumn(table: string, column: string, id: string): Promise<unknown> {
    if (provider === "sqlite") {
      const d = new Database(db.url.slice("file:".length));
      const v = (d.prepare(`SELECT "${column}" AS v FROM "${table}" WHERE "id" = ?`).get(id) as { v: unknown }).v;
      d.close();
      return v;
    }
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const v = (await c.query(`SELECT "${column}"::text AS v FROM "${table}" WHERE "id" = $1`, [id])).rows[0].v;
    await c.end();
    return v;
  }
  const readConfig = (id: string) => readColumn("IntegrationProvider", "config", id);
});
