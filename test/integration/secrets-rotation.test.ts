import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IntgError } from "../../src/errors.js";
import { ExitCode, exitCodeOf } from "../../src/cli/exit-codes.js";
import { openDatabase, type Database } from "../../src/db/client.js";
import { resolveDbTarget } from "../../src/db/url.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import type { ServiceContext } from "../../src/services/context.js";
import { listSecrets } from "../../src/services/secrets/list.js";
import { revealSecret } from "../../src/services/secrets/reveal.js";
import { pruneKeys } from "../../src/services/secrets/prune-keys.js";
import { rotateMasterKey } from "../../src/services/secrets/rotate-master-key.js";
import { setSecret } from "../../src/services/secrets/set.js";
import { secretsStatus } from "../../src/services/secrets/status.js";
import { TokenType } from "../../src/types/enums.js";
import { PROVIDERS, tempDir } from "../helpers/databases.js";
import { testServices, type TestServices } from "../helpers/services.js";

const b64 = (k: { bytes: Buffer }) => k.bytes.toString("base64");
const crashAfterFirstBatch = ({ done }: { done: number }) => {
  if (done > 0) throw new Error("simulated crash");
};

async function seed(ctx: ServiceContext, n: number): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const value = `token-${i}-${"x".repeat(i)}`;
    await setSecret(ctx, { name: `s${String(i).padStart(2, "0")}`, tokenType: TokenType.BEARER_TOKEN, value });
    values.set(`s${String(i).padStart(2, "0")}`, value);
  }
  return values;
}

async function keysOf(ctx: ServiceContext): Promise<Record<string, number>> {
  return Object.fromEntries(
    (await secretsStatus(ctx)).keys.filter((k) => k.secrets > 0).map((k) => [k.masterKeyId, k.secrets]),
  );
}

async function rotateEvents(ctx: ServiceContext) {
  const rows = await ctx.sql.all<{ outcome: string; reason: string | null; metadata: unknown }>(
    `SELECT "outcome","reason","metadata" FROM "AuditEvent" WHERE "action" = 'secret.rotate_master_key' ORDER BY "seq"`,
  );
  return rows.map((r) => ({ ...r, metadata: typeof r.metadata === "string" ? JSON.parse(r.metadata) : r.metadata }));
}

describe.each(PROVIDERS)("rotate-master-key with INTG_MASTER_KEY on %s", (provider) => {
  const [OLD, NEW] = [generateMasterKey(), generateMasterKey()];
  let t: TestServices;
  let before: ServiceContext;
  let during: ServiceContext;
  let values: Map<string, string>;

  beforeAll(async () => {
    t = await testServices(provider);
    before = { ...t.ctx, env: { INTG_MASTER_KEY: b64(OLD) } };
    during = { ...t.ctx, env: { INTG_MASTER_KEY: b64(NEW), INTG_PREVIOUS_MASTER_KEYS: b64(OLD) } };
    values = await seed(before, 7);
  });
  afterAll(async () => t?.dispose());

  it("refuses to start without the old key, before writing anything (exit 4)", async () => {
    const e = (await rotateMasterKey({ ...t.ctx, env: { INTG_MASTER_KEY: b64(NEW) } }, { batchSize: 3 }).catch(
      (x: unknown) => x,
    )) as IntgError;
    expect([exitCodeOf(e), e.code]).toEqual([ExitCode.CREDENTIAL, "MASTER_KEY_UNAVAILABLE"]);
    expect(e.message).toContain(`${OLD.id} (7 secret(s))`);
    expect(await keysOf(before)).toEqual({ [OLD.id]: 7 });
    expect(await rotateEvents(before)).toEqual([]);
  });

  it("plans with --dry-run and changes nothing", async () => {
    const plan = await rotateMasterKey(during, { dryRun: true });
    expect(plan).toEqual({
      dryRun: true,
      keySource: "env",
      toKeyId: NEW.id,
      newKey: "current",
      fromKeyIds: { [OLD.id]: 7 },
      reencrypted: 0,
      batches: 0,
      remaining: 7,
      droppedKeyIds: [],
    });
    expect(await keysOf(before)).toEqual({ [OLD.id]: 7 });
  });

  it("stops after a crash with the committed batches kept, and a rerun finishes the rest", async () => {
    const seen: { done: number; total: number }[] = [];
    await expect(
      rotateMasterKey(during, { batchSize: 3, onProgress: (p) => (seen.push(p), crashAfterFirstBatch(p)) }),
    ).rejects.toThrow("simulated crash");
    expect(seen).toEqual([
      { done: 0, total: 7 },
      { done: 3, total: 7 },
    ]);
    expect(await keysOf(during)).toEqual({ [NEW.id]: 3, [OLD.id]: 4 });
    const status = await secretsStatus(during);
    expect(status).toMatchObject({
      currentKeyId: NEW.id,
      keySource: "env",
      total: 7,
      notUnderCurrent: 4,
      unreadable: 0,
    });
    // Mid-rotation, every secret still reads: the moved ones under NEW, the others under OLD.
    for (const [name, value] of values) expect((await revealSecret(during, name)).value).toBe(value);

    const progress: number[] = [];
    const result = await rotateMasterKey(during, { batchSize: 3, onProgress: (p) => void progress.push(p.done) });
    expect(result).toEqual({
      dryRun: false,
      keySource: "env",
      toKeyId: NEW.id,
      newKey: "current",
      fromKeyIds: { [OLD.id]: 4 },
      reencrypted: 4,
      batches: 2,
      remaining: 0,
      droppedKeyIds: [],
    });
    expect(progress).toEqual([0, 3, 4]);
    expect(await keysOf(during)).toEqual({ [NEW.id]: 7 });
  });

  it("leaves every secret readable under the new key alone, and audits both runs", async () => {
    const onlyNew = { ...t.ctx, env: { INTG_MASTER_KEY: b64(NEW) } };
    for (const [name, value] of values) expect((await revealSecret(onlyNew, name)).value).toBe(value);
    expect((await listSecrets(onlyNew)).every((s) => s.masterKeyId === NEW.id && s.rotatedAt === null)).toBe(true);
    const rows = await t.ctx.sql.all<{ ciphertext: string }>(`SELECT "ciphertext" FROM "IntegrationSecret"`);
    for (const row of rows) {
      expect(row.ciphertext.startsWith(`v1.${NEW.id}.`)).toBe(true);
      for (const value of values.values()) expect(row.ciphertext).not.toContain(value);
    }
    const events = await rotateEvents(t.ctx);
    expect(events.map((e) => [e.outcome, e.reason])).toEqual([
      ["failure", "INTERRUPTED"],
      ["success", null],
    ]);
    expect(events[0]!.metadata).toMatchObject({ toKeyId: NEW.id, reencrypted: 3, batches: 1 });
    expect(events[1]!.metadata).toMatchObject({
      toKeyId: NEW.id,
      fromKeyIds: { [OLD.id]: 4 },
      reencrypted: 4,
      remaining: 0,
      keySource: "env",
    });
    // Nothing left to do: a rerun is a no-op, not an error.
    expect(await rotateMasterKey(onlyNew)).toMatchObject({ reencrypted: 0, batches: 0, remaining: 0 });
  });

  it("refuses --new-key-file while INTG_MASTER_KEY is set (exit 2)", async () => {
    const e = (await rotateMasterKey(during, { newKey: generateMasterKey() }).catch((x: unknown) => x)) as IntgError;
    expect(exitCodeOf(e)).toBe(ExitCode.USAGE);
    expect(e.hint).toContain("INTG_PREVIOUS_MASTER_KEYS=<old key>");
  });
});

describe("rotate-master-key with the embedded database's key file", () => {
  const home = tempDir();
  let db: Database;
  let ctx: ServiceContext;
  let values: Map<string, string>;
  const file = join(home.path, "intg", "master.key");
  const stored = () =>
    JSON.parse(readFileSync(file, "utf8")) as { current: { id: string }; previous: { id: string }[] };

  beforeAll(async () => {
    db = await openDatabase(resolveDbTarget(undefined, { XDG_DATA_HOME: home.path }, "/"), { autoMigrate: true });
    ctx = { db, sql: db.sql, now: () => new Date("2026-01-15T12:00:00.000Z"), actor: "tester", env: {} };
  });
  afterAll(async () => {
    await db?.close();
    home.dispose();
  });

  it("creates the key file with mode 0600 beside the database on the first secret", async () => {
    const first = await setSecret(ctx, { name: "first", tokenType: TokenType.API_KEY, value: "v-first" });
    expect(first.keyFileCreated).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(stored()).toMatchObject({ current: { id: first.secret.masterKeyId }, previous: [] });
    expect(
      (await setSecret(ctx, { name: "second", tokenType: TokenType.API_KEY, value: "v" })).keyFileCreated,
    ).toBeNull();
    values = new Map([["first", "v-first"], ["second", "v"], ...(await seed(ctx, 5))]);
  });

  it("generates a new key, keeps the old one through a crash and after it resumes; prune-keys drops it", async () => {
    const old = stored().current.id;
    await expect(rotateMasterKey(ctx, { batchSize: 2, onProgress: crashAfterFirstBatch })).rejects.toThrow(
      "simulated crash",
    );
    const fresh = stored().current.id;
    expect(fresh).not.toBe(old);
    expect(stored().previous.map((k) => k.id)).toEqual([old]);
    expect(await keysOf(ctx)).toEqual({ [fresh]: 2, [old]: 5 });

    // The rerun does not generate yet another key: it finishes moving to the one in the file.
    const result = await rotateMasterKey(ctx, { batchSize: 2 });
    expect(result).toMatchObject({
      keySource: "file",
      toKeyId: fresh,
      newKey: "current",
      fromKeyIds: { [old]: 5 },
      reencrypted: 5,
      remaining: 0,
      droppedKeyIds: [],
    });
    // A rotation never drops a key as a side effect: the old one stays until prune-keys.
    expect(stored()).toMatchObject({ current: { id: fresh }, previous: [{ id: old }] });
    expect(await pruneKeys(ctx, { dryRun: true })).toMatchObject({ dryRun: true, prunedKeyIds: [old], keptKeyIds: {} });
    expect(stored().previous.map((k) => k.id)).toEqual([old]);
    expect(await pruneKeys(ctx)).toMatchObject({
      dryRun: false,
      keySource: "file",
      keyFile: file,
      currentKeyId: fresh,
      prunedKeyIds: [old],
    });
    expect(stored()).toMatchObject({ current: { id: fresh }, previous: [] });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    for (const [name, value] of values) expect((await revealSecret(ctx, name)).value).toBe(value);
  });

  it("moves to a key supplied with --new-key-file", async () => {
    const supplied = generateMasterKey();
    const result = await rotateMasterKey(ctx, { newKey: supplied });
    expect(result).toMatchObject({ toKeyId: supplied.id, newKey: "file", reencrypted: values.size, remaining: 0 });
    expect(stored().current.id).toBe(supplied.id);
    expect(await keysOf(ctx)).toEqual({ [supplied.id]: values.size });
  });

  it("will not make a new key file when secrets exist but their key file is gone (exit 4)", async () => {
    const { rmSync } = await import("node:fs");
    rmSync(file);
    const e = (await setSecret(ctx, { name: "third", tokenType: TokenType.API_KEY, value: "v" }).catch(
      (x: unknown) => x,
    )) as IntgError;
    expect([exitCodeOf(e), e.code]).toEqual([ExitCode.CREDENTIAL, "MASTER_KEY_MISSING"]);
    expect(e.message).toContain(`The master key file ${file} is missing`);
    expect(() => statSync(file)).toThrow();
    expect(exitCodeOf((await revealSecret(ctx, "first").catch((x: IntgError) => x)) as IntgError)).toBe(
      ExitCode.CREDENTIAL,
    );
  });
});
