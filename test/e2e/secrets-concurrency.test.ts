import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/client.js";
import { resolveDbTarget, type Env } from "../../src/db/url.js";
import { generateMasterKey, type MasterKey } from "../../src/lib/crypto.js";
import type { ServiceContext } from "../../src/services/context.js";
import { revealSecret } from "../../src/services/secrets/reveal.js";
import { setSecret } from "../../src/services/secrets/set.js";
import { secretsStatus } from "../../src/services/secrets/status.js";
import { signingSecrets } from "../../src/services/webhooks/endpoint-secret.js";
import { TokenType } from "../../src/types/enums.js";
import { PG_BASE_URL, tempDir, tempPostgres, type TempDb } from "../helpers/databases.js";
import { BIN, intg } from "../helpers/spawn.js";

// Issue 12, item 1: concurrent `secrets rotate-master-key` runs used to leave every secret sealed
// under a key that no key file held. Four spawned runs at once, twenty rounds, with a prune-keys
// racing them on the key file, and every secret must still open afterwards.

const ROUNDS = 20;
const SECRETS = 30;
const ENDPOINTS = 3;
const b64 = (k: MasterKey) => k.bytes.toString("base64");

interface Store {
  env: () => Record<string, string>;
  ctx: () => ServiceContext;
  values: Map<string, string>;
  endpoints: Map<string, string>;
}

async function seed(store: Store, secrets = SECRETS): Promise<void> {
  for (let i = 0; i < secrets; i++) {
    const name = `s${String(i).padStart(2, "0")}`;
    store.values.set(name, `token-${i}-${"v".repeat(i)}`);
    await setSecret(store.ctx(), { name, tokenType: TokenType.API_KEY, value: store.values.get(name)! });
  }
  const env = { ...store.env(), INTG_ALLOW_PRIVATE_NETWORKS: "1" };
  const made = await Promise.all(
    Array.from({ length: ENDPOINTS }, () =>
      intg(["webhooks", "endpoints", "create", "--url", "http://127.0.0.1:9/hook", "--json"], { env }),
    ),
  );
  for (const r of made) {
    expect(r.code, r.stderr).toBe(0);
    const { id, secret } = JSON.parse(r.stdout) as { id: string; secret: string };
    store.endpoints.set(id, secret);
  }
}

/** Every secret and every endpoint signing secret opens, with its own value, under the ring as configured now. */
async function expectAllReadable(store: Store, round: number): Promise<void> {
  const ctx = store.ctx();
  const status = await secretsStatus(ctx);
  expect({ round, unreadable: status.unreadable, total: status.total }).toEqual({
    round,
    unreadable: 0,
    total: store.values.size + ENDPOINTS,
  });
  for (const [name, value] of store.values) expect((await revealSecret(ctx, name)).value).toBe(value);
  for (const [id, secret] of store.endpoints) expect((await signingSecrets(ctx, id))[0]).toBe(secret);
}

async function concurrentRounds(store: Store, extra: (round: number) => string[][] = () => []): Promise<void> {
  for (let round = 1; round <= ROUNDS; round++) {
    const more = extra(round); // first: it may change the environment this round runs with
    const env = store.env();
    const runs = [...Array.from({ length: 4 }, () => ["secrets", "rotate-master-key", "--yes", "--json"]), ...more];
    const results = await Promise.all(runs.map((args) => intg(args, { env })));
    for (const r of results)
      expect({ round, code: r.code, stderr: r.stderr }).toEqual({ round, code: 0, stderr: expect.any(String) });
    await expectAllReadable(store, round);
  }
  const status = await intg(["secrets", "status", "--json"], { env: store.env() });
  expect(status.code, status.stderr).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ unreadable: 0, notUnderCurrent: 0, total: SECRETS + ENDPOINTS });
}

describe("concurrent rotations on the embedded database's key file", () => {
  const home = tempDir();
  const env: Env = { HOME: home.path, XDG_DATA_HOME: join(home.path, "data") };
  let db: Database;
  const store: Store = {
    env: () => ({ ...(env as Record<string, string>) }),
    ctx: () => ({ db, sql: db.sql, now: () => new Date(), actor: "tester", env }),
    values: new Map(),
    endpoints: new Map(),
  };

  beforeAll(async () => {
    db = await openDatabase(resolveDbTarget(undefined, env, "/"), { autoMigrate: true });
    await seed(store);
  });
  afterAll(async () => {
    await db?.close();
    home.dispose();
  });

  it(`${ROUNDS} rounds of four rotate-master-key runs (and a prune-keys) leave every secret readable`, async () => {
    await concurrentRounds(store, (round) => (round % 2 === 0 ? [["secrets", "prune-keys", "--yes", "--json"]] : []));
    // Each run rotated in its turn: the key file names every key a run moved to, minus those pruned.
    const file = JSON.parse(readFileSync(join(home.path, "data", "intg", "master.key"), "utf8")) as {
      current: { id: string };
    };
    expect((await secretsStatus(store.ctx())).currentKeyId).toBe(file.current.id);
  }, 240_000);
});

function envRotation(provider: "sqlite" | "postgresql") {
  return async () => {
    const dir = tempDir();
    let temp: TempDb | undefined;
    let db: Database | undefined;
    try {
      temp =
        provider === "postgresql"
          ? await tempPostgres()
          : { provider, url: `file:${join(dir.path, "team.db")}`, dispose: async () => undefined };
      expect((await intg(["db", "migrate", "--db", temp.url])).code).toBe(0);
      const target = resolveDbTarget(temp.url, {}, "/");
      db = await openDatabase(target, { autoMigrate: false });
      let [previous, current] = [generateMasterKey(), generateMasterKey()];
      const env = () => ({
        HOME: dir.path,
        INTG_DATABASE_URL: temp!.url,
        INTG_MASTER_KEY: b64(current),
        INTG_PREVIOUS_MASTER_KEYS: b64(previous),
      });
      const store: Store = {
        env,
        ctx: () => ({ db: db!, sql: db!.sql, now: () => new Date(), actor: "tester", env: env() }),
        values: new Map(),
        endpoints: new Map(),
      };
      await seed(store);
      // Each round the operator moves to a new INTG_MASTER_KEY, the old one becoming the previous.
      await concurrentRounds(store, () => {
        [previous, current] = [current, generateMasterKey()];
        return [];
      });
    } finally {
      await db?.close();
      await temp?.dispose();
      dir.dispose();
    }
  };
}

describe("concurrent rotations with INTG_MASTER_KEY and INTG_PREVIOUS_MASTER_KEYS", () => {
  it(`SQLite: ${ROUNDS} rounds of four runs leave every secret readable`, envRotation("sqlite"), 240_000);
  it.runIf(PG_BASE_URL)(
    `PostgreSQL: ${ROUNDS} rounds of four runs leave every secret readable`,
    envRotation("postgresql"),
    240_000,
  );
});

describe("a rotation killed part-way", () => {
  const home = tempDir();
  const env: Env = { HOME: home.path, XDG_DATA_HOME: join(home.path, "data") };
  let db: Database;
  const store: Store = {
    env: () => ({ ...(env as Record<string, string>) }),
    ctx: () => ({ db, sql: db.sql, now: () => new Date(), actor: "tester", env }),
    values: new Map(),
    endpoints: new Map(),
  };

  beforeAll(async () => {
    db = await openDatabase(resolveDbTarget(undefined, env, "/"), { autoMigrate: true });
    await seed(store, 200); // enough one-row batches that the run is still going when killed
  });
  afterAll(async () => {
    await db?.close();
    home.dispose();
  });

  it("SIGKILL mid-rotation leaves every secret readable, and the next run takes the lock at once and finishes", async () => {
    const before = (await secretsStatus(store.ctx())).currentKeyId;
    const child = spawn(process.execPath, [BIN, "secrets", "rotate-master-key", "--yes", "--batch-size", "1"], {
      env: { PATH: process.env.PATH ?? "", ...store.env() },
      stdio: "ignore",
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    // Killed once some rows are under the new key and some are not.
    for (;;) {
      const status = await secretsStatus(store.ctx());
      if (status.currentKeyId !== before && status.notUnderCurrent > 0 && status.notUnderCurrent < status.total) break;
      if (child.exitCode !== null)
        throw new Error("the rotation finished before it could be killed: seed more secrets");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    await expectAllReadable(store, 0);
    expect((await intg(["secrets", "status"], { env: store.env() })).code).toBe(8); // pending, not unreadable

    // The lock died with the process: the next run does not wait for it, and resumes rather than starting over.
    const next = await intg(["secrets", "rotate-master-key", "--yes", "--json"], { env: store.env() });
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ newKey: "current", remaining: 0 });
    await expectAllReadable(store, 1);
    expect((await intg(["secrets", "status"], { env: store.env() })).code).toBe(0);
  }, 60_000);
});
