import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CredentialError, IntgError } from "../../src/errors.js";
import { openSql } from "../../src/db/sql.js";
import { parseDbUrl } from "../../src/db/url.js";
import { ExitCode, exitCodeOf } from "../../src/cli/exit-codes.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import type { ServiceContext } from "../../src/services/context.js";
import { deleteSecret } from "../../src/services/secrets/delete.js";
import { listSecrets } from "../../src/services/secrets/list.js";
import { revealSecret } from "../../src/services/secrets/reveal.js";
import { setSecret } from "../../src/services/secrets/set.js";
import { getSecret } from "../../src/services/secrets/show.js";
import { TokenType } from "../../src/types/enums.js";
import { PROVIDERS } from "../helpers/databases.js";
import { testServices, type TestServices } from "../helpers/services.js";

const K1 = generateMasterKey();
const K2 = generateMasterKey();
const b64 = (k: { bytes: Buffer }) => k.bytes.toString("base64");

/** The IntgError a promise rejects with, for its exit code and message. */
async function failure(p: Promise<unknown>): Promise<IntgError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(IntgError);
  return e as IntgError;
}

describe.each(PROVIDERS)("secrets on %s", (provider) => {
  let t: TestServices;
  let ctx: ServiceContext;
  const count = async (table: string, where = "1=1", params: unknown[] = []) =>
    Number((await ctx.sql.get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "${table}" WHERE ${where}`, params))!.n);
  const events = (action: string) =>
    ctx.sql.all<{ targetId: string; outcome: string; reason: string | null; metadata: unknown }>(
      `SELECT "targetId","outcome","reason","metadata" FROM "AuditEvent" WHERE "action" = ? ORDER BY "seq"`,
      [action],
    );

  beforeAll(async () => {
    t = await testServices(provider);
    ctx = { ...t.ctx, env: { INTG_MASTER_KEY: b64(K1) } };
  });
  afterAll(async () => t?.dispose());

  it("creates, lists, shows and reveals a secret; the database holds only ciphertext", async () => {
    const { secret, created, keyFileCreated } = await setSecret(ctx, {
      name: "stripe-live",
      tokenType: TokenType.API_KEY,
      value: "sk_live_PLAINTEXT_4242",
    });
    expect([created, keyFileCreated]).toEqual([true, null]);
    expect(secret).toEqual({
      id: expect.stringMatching(/^sec_/),
      name: "stripe-live",
      tokenType: "API_KEY",
      masterKeyId: K1.id,
      expiresAt: null,
      rotatedAt: null,
      createdAt: "2026-01-15T12:00:00.000Z",
      updatedAt: "2026-01-15T12:00:00.000Z",
    });
    expect(await listSecrets(ctx)).toEqual([secret]);
    expect(await getSecret(ctx, "stripe-live")).toEqual(secret);
    expect(await getSecret(ctx, secret.id)).toEqual(secret);
    expect(JSON.stringify(secret)).not.toContain("PLAINTEXT");
    expect(await revealSecret(ctx, "stripe-live")).toEqual({ ...secret, value: "sk_live_PLAINTEXT_4242" });

    const row = await ctx.sql.get<{ ciphertext: string }>(
      `SELECT "ciphertext" FROM "IntegrationSecret" WHERE "id" = ?`,
      [secret.id],
    );
    expect(row!.ciphertext).toMatch(new RegExp(`^v1\\.${K1.id}\\.`));
    const everything = JSON.stringify([
      await ctx.sql.all(`SELECT * FROM "IntegrationSecret"`),
      await ctx.sql.all(`SELECT * FROM "AuditEvent"`),
    ]);
    for (const leak of [
      "sk_live_PLAINTEXT_4242",
      "PLAINTEXT",
      Buffer.from("sk_live_PLAINTEXT_4242").toString("base64").slice(0, 16),
    ])
      expect(everything).not.toContain(leak);
  });

  it("replaces the value by name, keeping the id, and audits create, update and reveal", async () => {
    t.advance(60_000);
    const before = await getSecret(ctx, "stripe-live");
    const expiresAt = new Date("2027-01-01T00:00:00.000Z");
    const { secret, created } = await setSecret(ctx, { name: "stripe-live", value: "sk_live_SECOND", expiresAt });
    expect(created).toBe(false);
    expect(secret).toMatchObject({
      id: before.id,
      tokenType: "API_KEY",
      expiresAt: expiresAt.toISOString(),
      rotatedAt: "2026-01-15T12:01:00.000Z",
      updatedAt: "2026-01-15T12:01:00.000Z",
      createdAt: before.createdAt,
    });
    expect((await revealSecret(ctx, before.id)).value).toBe("sk_live_SECOND");
    expect(await count("IntegrationSecret")).toBe(1);
    // Replacing without --expires-at keeps the expiry; with another type changes it.
    const again = await setSecret(ctx, { name: "stripe-live", tokenType: TokenType.BEARER_TOKEN, value: "third" });
    expect(again.secret).toMatchObject({ tokenType: "BEARER_TOKEN", expiresAt: expiresAt.toISOString() });

    expect((await events("secret.create")).map((e) => e.targetId)).toEqual([before.id]);
    expect((await events("secret.update")).map((e) => e.targetId)).toEqual([before.id, before.id]);
    expect((await events("secret.reveal")).map((e) => [e.targetId, e.outcome])).toEqual([
      [before.id, "success"],
      [before.id, "success"],
    ]);
  });

  it("writes the secret and its audit event in one transaction: no event, no secret", async () => {
    const trigger =
      provider === "sqlite"
        ? [
            `CREATE TRIGGER "no_audit" BEFORE INSERT ON "AuditEvent" BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END`,
          ]
        : [
            `CREATE FUNCTION no_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$ LANGUAGE plpgsql`,
            `CREATE TRIGGER "no_audit" BEFORE INSERT ON "AuditEvent" FOR EACH ROW EXECUTE FUNCTION no_audit()`,
          ];
    for (const sql of trigger) await ctx.sql.run(sql);
    try {
      await expect(setSecret(ctx, { name: "never-written", tokenType: TokenType.API_KEY, value: "v" })).rejects.toThrow(
        /audit log unavailable/,
      );
      await expect(setSecret(ctx, { name: "stripe-live", value: "not-replaced" })).rejects.toThrow(
        /audit log unavailable/,
      );
      await expect(deleteSecret(ctx, "stripe-live")).rejects.toThrow(/audit log unavailable/);
    } finally {
      await ctx.sql.run(`DROP TRIGGER "no_audit"${provider === "postgresql" ? ` ON "AuditEvent"` : ""}`);
    }
    expect(await count("IntegrationSecret", `"name" = ?`, ["never-written"])).toBe(0);
    expect((await revealSecret(ctx, "stripe-live")).value).toBe("third");
  });

  it("refuses bad input with exit 2 and writes nothing", async () => {
    const before = await count("IntegrationSecret");
    const auditBefore = await count("AuditEvent");
    for (const input of [
      { name: "empty", tokenType: TokenType.API_KEY, value: "" },
      { name: "no-type", value: "v" },
      { name: "bad name!", tokenType: TokenType.API_KEY, value: "v" },
      { name: "sec_01HZZZZZZZZZZZZZZZZZZZZZZZ", tokenType: TokenType.API_KEY, value: "v" },
      { name: "expired", tokenType: TokenType.API_KEY, value: "v", expiresAt: new Date("2020-01-01T00:00:00Z") },
    ]) {
      expect(exitCodeOf(await failure(setSecret(ctx, input))), input.name).toBe(ExitCode.USAGE);
    }
    expect([await count("IntegrationSecret"), await count("AuditEvent")]).toEqual([before, auditBefore]);
  });

  it("answers exit 5 for an unknown secret", async () => {
    for (const call of [
      () => getSecret(ctx, "nope"),
      () => revealSecret(ctx, "nope"),
      () => deleteSecret(ctx, "sec_01HZZZZZZZZZZZZZZZZZZZZZZZ"),
    ]) {
      const e = await failure(call());
      expect([exitCodeOf(e), e.message]).toEqual([
        ExitCode.NOT_FOUND,
        expect.stringContaining("No secret with id or name"),
      ]);
    }
  });

  it("refuses a wrong or missing master key with exit 4, naming the key id, and audits the failure", async () => {
    const { id } = await getSecret(ctx, "stripe-live");
    const wrong = { ...ctx, env: { INTG_MASTER_KEY: b64(K2) } };
    const e = await failure(revealSecret(wrong, "stripe-live"));
    expect(e).toBeInstanceOf(CredentialError);
    expect([exitCodeOf(e), e.code]).toEqual([ExitCode.CREDENTIAL, "MASTER_KEY_UNAVAILABLE"]);
    expect(e.message).toBe(
      `Secret "stripe-live" (${id}) is encrypted under master key ${K1.id}, which is not available (available: ${K2.id}).`,
    );
    expect((await events("secret.reveal")).at(-1)).toMatchObject({
      targetId: id,
      outcome: "failure",
      reason: "MASTER_KEY_UNAVAILABLE",
    });

    const none = { ...ctx, env: {} };
    for (const call of [
      () => revealSecret(none, "stripe-live"),
      () => setSecret(none, { name: "n", tokenType: TokenType.API_KEY, value: "v" }),
    ]) {
      const missing = await failure(call());
      expect([exitCodeOf(missing), missing.code]).toEqual([ExitCode.CREDENTIAL, "MASTER_KEY_MISSING"]);
      expect(missing.message).toContain("set INTG_MASTER_KEY");
    }
    expect(await count("IntegrationSecret", `"name" = ?`, ["n"])).toBe(0);
    // A malformed key is a usage error (exit 2), before anything is read or written.
    expect(
      exitCodeOf(await failure(revealSecret({ ...ctx, env: { INTG_MASTER_KEY: "c2hvcnQ=" } }, "stripe-live"))),
    ).toBe(ExitCode.USAGE);
  });

  it("refuses a tampered ciphertext, or one copied from another row, with exit 4", async () => {
    const a = (await setSecret(ctx, { name: "row-a", tokenType: TokenType.HMAC_SECRET, value: "value-of-a" })).secret;
    const b = (await setSecret(ctx, { name: "row-b", tokenType: TokenType.HMAC_SECRET, value: "value-of-b" })).secret;
    const ct = async (id: string) =>
      (await ctx.sql.get<{ ciphertext: string }>(`SELECT "ciphertext" FROM "IntegrationSecret" WHERE "id" = ?`, [id]))!
        .ciphertext;
    const original = await ct(b.id);
    await ctx.sql.run(`UPDATE "IntegrationSecret" SET "ciphertext" = ? WHERE "id" = ?`, [await ct(a.id), b.id]);
    const swapped = await failure(revealSecret(ctx, "row-b"));
    expect([exitCodeOf(swapped), swapped.code]).toEqual([ExitCode.CREDENTIAL, "CIPHERTEXT_INVALID"]);
    expect(swapped.message).not.toContain("value-of-a");

    const body = original.split(".")[2]!;
    const tampered = `${original.slice(0, -body.length)}${body.slice(0, -2)}${body.endsWith("AA") ? "BB" : "AA"}`;
    await ctx.sql.run(`UPDATE "IntegrationSecret" SET "ciphertext" = ? WHERE "id" = ?`, [tampered, b.id]);
    expect((await failure(revealSecret(ctx, "row-b"))).code).toBe("CIPHERTEXT_INVALID");
    await ctx.sql.run(`UPDATE "IntegrationSecret" SET "ciphertext" = ? WHERE "id" = ?`, ["garbage", b.id]);
    expect((await failure(revealSecret(ctx, "row-b"))).code).toBe("CIPHERTEXT_MALFORMED");
  });

  it("lists by type and by master key id", async () => {
    expect((await listSecrets(ctx, { tokenType: TokenType.HMAC_SECRET })).map((s) => s.name)).toEqual([
      "row-a",
      "row-b",
    ]);
    expect((await listSecrets(ctx, { masterKeyId: K1.id })).map((s) => s.name)).toEqual([
      "row-a",
      "row-b",
      "stripe-live",
    ]);
    expect(await listSecrets(ctx, { masterKeyId: K2.id })).toEqual([]);
  });

  it("deletes with a dry run first, and refuses to strand a connection without --force", async () => {
    const a = await getSecret(ctx, "row-a");
    const dry = await deleteSecret(ctx, "row-a", { dryRun: true });
    expect(dry).toEqual({ secret: a, dryRun: true, deleted: false, detachedConnectionIds: [] });
    expect(await count("IntegrationSecret", `"id" = ?`, [a.id])).toBe(1);
    expect(await deleteSecret(ctx, a.id)).toEqual({
      secret: a,
      dryRun: false,
      deleted: true,
      detachedConnectionIds: [],
    });
    expect(await count("IntegrationSecret", `"id" = ?`, [a.id])).toBe(0);
    expect((await events("secret.delete")).map((e) => e.targetId)).toEqual([a.id]);

    const b = await getSecret(ctx, "row-b");
    const now = new Date();
    await ctx.sql.run(
      `INSERT INTO "IntegrationProvider" ("id","slug","name","category","baseUrl","authType","createdAt","updatedAt") VALUES (?,?,?,?,?,?,?,?)`,
      ["prov_1", "acme", "Acme", "CRM", "https://api.acme.test", "HMAC", now, now],
    );
    await ctx.sql.run(
      `INSERT INTO "IntegrationConnection" ("id","providerId","name","environment","credentialSecretId","createdAt","updatedAt") VALUES (?,?,?,?,?,?,?)`,
      ["conn_1", "prov_1", "main", "PRODUCTION", b.id, now, now],
    );
    const inUse = await failure(deleteSecret(ctx, "row-b"));
    expect([exitCodeOf(inUse), inUse.code]).toEqual([ExitCode.CONFLICT, "SECRET_IN_USE"]);
    expect(inUse.message).toContain("conn_1");
    expect((await deleteSecret(ctx, "row-b", { force: true })).detachedConnectionIds).toEqual(["conn_1"]);
    expect(
      await ctx.sql.get(`SELECT "credentialSecretId" FROM "IntegrationConnection" WHERE "id" = ?`, ["conn_1"]),
    ).toEqual({ credentialSecretId: null });
  });

  it("calls a name shared by two rows (written by another tool) a conflict, naming both ids", async () => {
    const now = new Date();
    for (const id of ["sec_01HAAAAAAAAAAAAAAAAAAAAAAA", "sec_01HBBBBBBBBBBBBBBBBBBBBBBB"]) {
      await ctx.sql.run(
        `INSERT INTO "IntegrationSecret" ("id","name","tokenType","ciphertext","masterKeyId","createdAt","updatedAt") VALUES (?,?,?,?,?,?,?)`,
        [id, "twin", "API_KEY", "x", K1.id, now, now],
      );
    }
    const e = await failure(getSecret(ctx, "twin"));
    expect([exitCodeOf(e), e.message]).toEqual([
      ExitCode.CONFLICT,
      `2 secrets are named "twin": sec_01HAAAAAAAAAAAAAAAAAAAAAAA, sec_01HBBBBBBBBBBBBBBBBBBBBBBB.`,
    ]);
    expect(exitCodeOf(await failure(setSecret(ctx, { name: "twin", value: "v" })))).toBe(ExitCode.CONFLICT);
    expect((await getSecret(ctx, "sec_01HAAAAAAAAAAAAAAAAAAAAAAA")).name).toBe("twin");
    await ctx.sql.run(`DELETE FROM "IntegrationSecret" WHERE "name" = ?`, ["twin"]);
  });

  it("never makes two rows of one name, however many writers race", async () => {
    // PostgreSQL: eight connections at once (no unique index on names: the advisory lock decides).
    // SQLite: one connection's queued transactions (two connections in one thread would deadlock).
    const extra =
      provider === "sqlite"
        ? []
        : await Promise.all(Array.from({ length: 7 }, () => openSql(parseDbUrl(t.temp.url, "--db", process.cwd()))));
    const clients = [ctx.sql, ...extra];
    try {
      const results = await Promise.all(
        clients.flatMap((sql, c) =>
          [0, 1].map((i) =>
            setSecret({ ...ctx, sql }, { name: "raced", tokenType: TokenType.API_KEY, value: `v${c}-${i}` }),
          ),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.secret.id)).size).toBe(1);
    } finally {
      await Promise.all(extra.map((c) => c.close()));
    }
    expect(await count("IntegrationSecret", `"name" = ?`, ["raced"])).toBe(1);
    expect((await revealSecret(ctx, "raced")).value).toMatch(/^v\d-\d$/);
  });
});
