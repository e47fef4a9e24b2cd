import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IntgError } from "../../src/errors.js";
import { ExitCode, exitCodeOf } from "../../src/cli/exit-codes.js";
import { openDatabase, type Database } from "../../src/db/client.js";
import { parseDbUrl, resolveDbTarget } from "../../src/db/url.js";
import { acquireFileLock } from "../../src/lib/file-lock.js";
import { generateMasterKey, type MasterKey } from "../../src/lib/crypto.js";
import type { ServiceContext } from "../../src/services/context.js";
import { masterKeyLockPath } from "../../src/services/secrets/key-lock.js";
import { pruneKeys } from "../../src/services/secrets/prune-keys.js";
import { revealSecret } from "../../src/services/secrets/reveal.js";
import { rotateMasterKey } from "../../src/services/secrets/rotate-master-key.js";
import { setSecret } from "../../src/services/secrets/set.js";
import { secretsStatus } from "../../src/services/secrets/status.js";
import { TokenType } from "../../src/types/enums.js";
import { PROVIDERS, tempDir } from "../helpers/databases.js";
import { testServices, type TestServices } from "../helpers/services.js";

const b64 = (k: MasterKey) => k.bytes.toString("base64");
const LOCK_CLASS = 734_018_213; // key-lock.ts

async function keysOf(ctx: ServiceContext): Promise<Record<string, number>> {
  return Object.fromEntries(
    (await secretsStatus(ctx)).keys.filter((k) => k.secrets > 0).map((k) => [k.masterKeyId, k.secrets]),
  );
}

async function seed(ctx: ServiceContext, n: number, prefix = "s"): Promise<void> {
  for (let i = 0; i < n; i++)
    await setSecret(ctx, { name: `${prefix}${i}`, tokenType: TokenType.API_KEY, value: `value-${prefix}${i}` });
}

async function failure(p: Promise<unknown>): Promise<IntgError> {
  return (await p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e,
  )) as IntgError;
}

describe.each(PROVIDERS)("the master-key lock on %s", (provider) => {
  const [K0, K1, K2] = [generateMasterKey(), generateMasterKey(), generateMasterKey()];
  let t: TestServices;
  let other: Database;
  const under = (db: Database, env: Record<string, string>): ServiceContext => ({ ...t.ctx, db, sql: db.sql, env });

  beforeAll(async () => {
    t = await testServices(provider);
    other = await openDatabase(parseDbUrl(t.temp.url, "--db", "/"), { autoMigrate: false });
    await seed(under(t.ctx.db, { INTG_MASTER_KEY: b64(K0) }), 4);
  });
  afterAll(async () => {
    await other?.close();
    await t?.dispose();
  });

  /** Holds the lock as another process would: a file lock of its own, or another PostgreSQL session. */
  async function holdLock(): Promise<() => Promise<void>> {
    if (provider === "sqlite") {
      const lock = (await acquireFileLock(masterKeyLockPath(t.ctx)!, { timeoutMs: 0 }))!;
      return async () => lock.release();
    }
    const client = new pg.Client({ connectionString: t.temp.url });
    await client.connect();
    await client.query(`SELECT pg_advisory_lock($1, 0)`, [LOCK_CLASS]);
    return async () => void (await client.end());
  }

  it("a rotation waits for the holder, then gives up with exit 6 having changed nothing", async () => {
    const release = await holdLock();
    try {
      const ctx = under(t.ctx.db, { INTG_MASTER_KEY: b64(K1), INTG_PREVIOUS_MASTER_KEYS: b64(K0) });
      const e = await failure(rotateMasterKey(ctx, { lockWaitMs: 300 }));
      expect([exitCodeOf(e), e.code]).toEqual([ExitCode.CONFLICT, "MASTER_KEY_LOCKED"]);
      expect(e.message).toContain("Another intg process is changing the master key");
      expect(await keysOf(ctx)).toEqual({ [K0.id]: 4 });
      expect([exitCodeOf(await failure(pruneKeys(ctx, { waitMs: 100 })))]).toEqual([ExitCode.CONFLICT]);
    } finally {
      await release();
    }
    // Once the holder is gone (its session closed, its file lock dropped) the lock is free at once.
    const ctx = under(t.ctx.db, { INTG_MASTER_KEY: b64(K1), INTG_PREVIOUS_MASTER_KEYS: b64(K0) });
    expect(await rotateMasterKey(ctx, { lockWaitMs: 1000 })).toMatchObject({ reencrypted: 4, remaining: 0 });
  });

  it("a second rotation, on its own connection, waits for the first to finish, then finds nothing left", async () => {
    const env = { INTG_MASTER_KEY: b64(K2), INTG_PREVIOUS_MASTER_KEYS: b64(K1) };
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => (resume = resolve));
    let firstPaused!: () => void;
    const reachedPause = new Promise<void>((resolve) => (firstPaused = resolve));
    const first = rotateMasterKey(under(t.ctx.db, env), {
      batchSize: 1,
      onProgress: async ({ done }) => void (done === 2 && (firstPaused(), await paused)),
    });
    await reachedPause;
    let secondDone = false;
    const second = rotateMasterKey(under(other, env)).then((r) => ((secondDone = true), r));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Not a timing claim: without the lock the second run would have moved the remaining rows by now.
    expect(secondDone).toBe(false);
    expect(await keysOf(under(t.ctx.db, env))).toEqual({ [K2.id]: 2, [K1.id]: 2 });
    resume();
    expect(await first).toMatchObject({ reencrypted: 4, remaining: 0 });
    expect(await second).toMatchObject({ reencrypted: 0, remaining: 0 });
  });

  it("prune-keys under INTG_MASTER_KEY names the unneeded INTG_PREVIOUS_MASTER_KEYS entries and edits nothing", async () => {
    const ctx = under(t.ctx.db, { INTG_MASTER_KEY: b64(K2), INTG_PREVIOUS_MASTER_KEYS: `${b64(K1)},${b64(K0)}` });
    await setSecret(under(t.ctx.db, { INTG_MASTER_KEY: b64(K1), INTG_PREVIOUS_MASTER_KEYS: b64(K2) }), {
      name: "under-k1",
      tokenType: TokenType.API_KEY,
      value: "v",
    });
    const r = await pruneKeys(ctx);
    expect(r).toEqual({
      dryRun: false,
      keySource: "env",
      keyFile: null,
      currentKeyId: K2.id,
      prunedKeyIds: [],
      keptKeyIds: { [K1.id]: 1 },
      unneededEnvKeyIds: [K0.id],
    });
    const audit = await t.ctx.sql.all<{ action: string }>(
      `SELECT "action" FROM "AuditEvent" WHERE "action" = 'secret.prune_keys'`,
    );
    expect(audit).toHaveLength(1);
  });

  it("refuses a sealing write when the stored rows only claim a key id in the ring (a forged id), exit 4", async () => {
    // Every row relabelled, column and envelope, as sealed under K2 though K1 and K2 sealed them:
    // the ids match the ring, but nothing opens.
    const FORGED = generateMasterKey();
    await t.ctx.sql.run(
      `UPDATE "IntegrationSecret" SET "masterKeyId" = ?, "ciphertext" = 'v1.' || ? || SUBSTR("ciphertext", 20)`,
      [FORGED.id, FORGED.id],
    );
    const e = await failure(
      setSecret(under(t.ctx.db, { INTG_MASTER_KEY: b64(FORGED) }), {
        name: "new",
        tokenType: TokenType.API_KEY,
        value: "v",
      }),
    );
    expect([exitCodeOf(e), e.code]).toEqual([ExitCode.CREDENTIAL, "MASTER_KEY_MISMATCH"]);
    expect((await t.ctx.sql.all(`SELECT "id" FROM "IntegrationSecret" WHERE "name" = 'new'`)).length).toBe(0);
  });
});

describe("prune-keys on the embedded database's key file", () => {
  const home = tempDir();
  let db: Database;
  let ctx: ServiceContext;
  const file = join(home.path, "intg", "master.key");
  const previousIds = () =>
    (JSON.parse(readFileSync(file, "utf8")) as { previous: { id: string }[] }).previous.map((k) => k.id);

  beforeAll(async () => {
    db = await openDatabase(resolveDbTarget(undefined, { XDG_DATA_HOME: home.path }, "/"), { autoMigrate: true });
    ctx = { db, sql: db.sql, now: () => new Date("2026-01-15T12:00:00.000Z"), actor: "tester", env: {} };
    await seed(ctx, 5);
  });
  afterAll(async () => {
    await db?.close();
    home.dispose();
  });

  it("keeps a previous key that rows still use (a rotation stopped part-way), and drops it once none does", async () => {
    const old = (await secretsStatus(ctx)).currentKeyId!;
    await expect(
      rotateMasterKey(ctx, {
        batchSize: 2,
        onProgress: ({ done }) => {
          if (done > 0) throw new Error("crash");
        },
      }),
    ).rejects.toThrow("crash");
    expect(await pruneKeys(ctx)).toMatchObject({ prunedKeyIds: [], keptKeyIds: { [old]: 3 } });
    expect(previousIds()).toEqual([old]);
    for (let i = 0; i < 5; i++) expect((await revealSecret(ctx, `s${i}`)).value).toBe(`value-s${i}`);
    await rotateMasterKey(ctx);
    expect(await pruneKeys(ctx, { dryRun: true })).toMatchObject({ dryRun: true, prunedKeyIds: [old] });
    expect(previousIds()).toEqual([old]);
    expect(await pruneKeys(ctx)).toMatchObject({ prunedKeyIds: [old], keptKeyIds: {} });
    expect(previousIds()).toEqual([]);
    for (let i = 0; i < 5; i++) expect((await revealSecret(ctx, `s${i}`)).value).toBe(`value-s${i}`);
  });

  it("a replaced key file's key is refused for new secrets (exit 4)", async () => {
    const { writeFileSync } = await import("node:fs");
    const { formatKeyFile } = await import("../../src/services/secrets/key-file.js");
    writeFileSync(file, formatKeyFile({ current: generateMasterKey(), previous: [] }), { mode: 0o600 });
    const e = await failure(setSecret(ctx, { name: "new", tokenType: TokenType.API_KEY, value: "v" }));
    expect([exitCodeOf(e), e.code]).toEqual([ExitCode.CREDENTIAL, "MASTER_KEY_MISMATCH"]);
    expect(e.message).toContain(`key file ${file}`);
  });
});
