import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/client.js";
import { applyPendingMigrations } from "../../src/db/migrations.js";
import { col } from "../../src/db/sql.js";
import { parseDbUrl } from "../../src/db/url.js";
import { PROVIDERS, tempDb, type TempDb } from "../helpers/databases.js";
import { createPrismaClient, type Prisma } from "../helpers/prisma.js";

// Raw SQL and Prisma share the tables: what one writes, the other must read back unchanged.
describe.each(PROVIDERS)("driver-level SQL on %s", (provider) => {
  let temp: TempDb;
  let db: Database;
  let prisma: Prisma;
  const insert = `INSERT INTO "ApiKey" ("id","name","prefix","environment","hash","start","end","formatVersion","status","metadata","expiresAt","createdAt","updatedAt") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`;

  beforeAll(async () => {
    temp = await tempDb(provider);
    const target = parseDbUrl(temp.url, "--db", process.cwd());
    await applyPendingMigrations(target);
    db = await openDatabase(target, { autoMigrate: false });
    prisma = await createPrismaClient(target);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.close();
    await temp?.dispose();
  });

  it("writes rows Prisma reads back: dates, enums and JSON", async () => {
    const at = new Date("2026-03-04T05:06:07.089Z");
    await db.sql.run(insert, [
      "key_raw",
      "raw",
      "intg",
      "live",
      "hash-raw",
      "s",
      "e",
      1,
      "REVOKED",
      { team: "core", n: 2 },
      at,
      at,
      at,
    ]);
    const key = await prisma.apiKey.findUniqueOrThrow({ where: { id: "key_raw" } });
    expect(key.status).toBe("REVOKED");
    expect(key.metadata).toEqual({ team: "core", n: 2 });
    expect(key.expiresAt?.toISOString()).toBe(at.toISOString());
  });

  it("reads rows Prisma wrote, and compares dates in SQL correctly", async () => {
    const expiresAt = new Date("2027-01-01T00:00:00.000Z");
    await prisma.apiKey.create({
      data: {
        id: "key_orm",
        name: "orm",
        prefix: "intg",
        environment: "test",
        hash: "hash-orm",
        start: "s",
        end: "e",
        formatVersion: 1,
        expiresAt,
        metadata: ["x"],
      },
    });
    const row = await db.sql.get<Record<string, unknown>>(`SELECT * FROM "ApiKey" WHERE "hash" = ?`, ["hash-orm"]);
    expect(col.date(row!.expiresAt).toISOString()).toBe(expiresAt.toISOString());
    expect(col.iso(row!.expiresAt)).toBe(expiresAt.toISOString());
    expect(col.iso(null)).toBeNull();
    expect(col.json(row!.metadata)).toEqual(["x"]);
    const later = await db.sql.all<{ id: string }>(`SELECT "id" FROM "ApiKey" WHERE "expiresAt" > ? ORDER BY "id"`, [
      new Date("2026-12-31T23:59:59.999Z"),
    ]);
    expect(later.map((r) => r.id)).toEqual(["key_orm"]);
  });

  it("rolls a failed transaction back entirely", async () => {
    const at = new Date();
    await expect(
      db.sql.transaction(async (tx) => {
        await tx.run(insert, ["key_tx", "tx", "intg", "live", "hash-tx", "s", "e", 1, "ACTIVE", null, null, at, at]);
        await tx.run(insert, ["key_tx", "dup", "intg", "live", "hash-tx2", "s", "e", 1, "ACTIVE", null, null, at, at]);
      }),
    ).rejects.toThrow();
    expect(await db.sql.get(`SELECT "id" FROM "ApiKey" WHERE "id" = ?`, ["key_tx"])).toBeUndefined();
  });

  it("reads rows as arrays in select-list order", async () => {
    const rows = await db.sql.rows(`SELECT "id", "name" FROM "ApiKey" WHERE "id" IN (?, ?) ORDER BY "id"`, [
      "key_orm",
      "key_raw",
    ]);
    expect(rows).toEqual([
      ["key_orm", "orm"],
      ["key_raw", "raw"],
    ]);
  });

  it("counts changed rows, so a conditional update can tell who won", async () => {
    const sqlUpdate = `UPDATE "ApiKey" SET "status" = ? WHERE "id" = ? AND "status" = ?`;
    expect(await db.sql.run(sqlUpdate, ["ROTATING", "key_orm", "ACTIVE"])).toBe(1);
    expect(await db.sql.run(sqlUpdate, ["ROTATING", "key_orm", "ACTIVE"])).toBe(0);
  });
});
