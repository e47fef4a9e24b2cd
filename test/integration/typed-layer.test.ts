import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/client.js";
import { typed } from "../../src/db/kysely.js";
import { compileFor } from "../../src/db/prepared.js";
import { applyPendingMigrations } from "../../src/db/migrations.js";
import { parseDbUrl } from "../../src/db/url.js";
import { PROVIDERS, tempDb, type TempDb } from "../helpers/databases.js";
import { createPrismaClient, type Prisma } from "../helpers/prisma.js";

// The typed layer (Kysely over the driver connections) promises the schema's types on both
// providers: what Prisma wrote reads back as Date, boolean and parsed JSON on SQLite too.
describe.each(PROVIDERS)("the typed query layer on %s", (provider) => {
  let temp: TempDb;
  let db: Database;
  let prisma: Prisma;

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

  it("reads what Prisma wrote with the schema's types: dates, booleans, JSON, enums", async () => {
    const at = new Date("2026-03-04T05:06:07.089Z");
    await prisma.webhookEndpoint.create({
      data: {
        id: "ep_t",
        url: "https://example.test/h",
        eventFilter: ["a.*"],
        secretCiphertext: "x",
        enabled: false,
        disabledAt: at,
        updatedAt: at,
      },
    });
    const row = await typed(db.sql)
      .selectFrom("WebhookEndpoint")
      .selectAll()
      .where("id", "=", "ep_t")
      .executeTakeFirstOrThrow();
    expect(row.disabledAt).toBeInstanceOf(Date);
    expect(row.disabledAt?.toISOString()).toBe(at.toISOString());
    expect(row.enabled).toBe(false);
    expect(row.allowPrivateNetwork).toBe(false);
    expect(row.eventFilter).toEqual(["a.*"]);
    expect(row.headers).toBeNull();
    expect(row.channel).toBe("HTTP");
  });

  it("writes rows Prisma reads back", async () => {
    const at = new Date("2026-05-06T07:08:09.010Z");
    await typed(db.sql)
      .insertInto("WebhookEventType")
      .values({
        name: "order.placed",
        description: null,
        schema: JSON.stringify({ type: "object" }),
        archivedAt: at,
        createdAt: at,
      })
      .execute();
    const t = await prisma.webhookEventType.findUniqueOrThrow({ where: { name: "order.placed" } });
    expect(t.schema).toEqual({ type: "object" });
    expect(t.archivedAt?.toISOString()).toBe(at.toISOString());
  });

  it("counts changed rows", async () => {
    const r = await typed(db.sql)
      .updateTable("WebhookEventType")
      .set({ description: "d" })
      .where("name", "=", "order.placed")
      .executeTakeFirst();
    expect(r.numUpdatedRows).toBe(1n);
  });

  it("runs a builder made from a transaction's client inside it, and rolls it back with it", async () => {
    await expect(
      db.sql.transaction(async (tx) => {
        await typed(tx)
          .updateTable("WebhookEventType")
          .set({ description: "rolled back" })
          .where("name", "=", "order.placed")
          .execute();
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    const t = await typed(db.sql)
      .selectFrom("WebhookEventType")
      .select("description")
      .where("name", "=", "order.placed")
      .executeTakeFirstOrThrow();
    expect(t.description).toBe("d");
  });

  it("runs a statement on the outer client after an open transaction, never inside it", async () => {
    // The worker's store thread renews leases with plain statements on the connection on which
    // recordBatch opens transactions; one landing inside would commit or roll back with the batch.
    let inside!: () => void;
    const opened = new Promise<void>((resolve) => (inside = resolve));
    const batch = db.sql.transaction(async (tx) => {
      await tx.run(`UPDATE "WebhookEventType" SET "description" = ? WHERE "name" = ?`, ["batch", "order.placed"]);
      inside();
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new Error("the batch fails");
    });
    await opened;
    const heartbeat = db.sql.run(`UPDATE "WebhookEventType" SET "archivedAt" = ? WHERE "name" = ?`, [
      null,
      "order.placed",
    ]);
    await expect(batch).rejects.toThrow("the batch fails");
    expect(await heartbeat).toBe(1);
    const t = await typed(db.sql)
      .selectFrom("WebhookEventType")
      .select(["description", "archivedAt"])
      .where("name", "=", "order.placed")
      .executeTakeFirstOrThrow();
    expect(t.description).toBe("d"); // the batch rolled back
    expect(t.archivedAt).toBeNull(); // the heartbeat was not rolled back with it
  });
});

describe.each(PROVIDERS)("statements prepared once on %s", (provider) => {
  let temp: TempDb;
  let db: Database;
  beforeAll(async () => {
    temp = await tempDb(provider);
    const target = parseDbUrl(temp.url, "--db", process.cwd());
    await applyPendingMigrations(target);
    db = await openDatabase(target, { autoMigrate: false });
  });
  afterAll(async () => {
    await db?.close();
    await temp?.dispose();
  });

  it("run with new values each time, constants of the build kept", async () => {
    const insert = compileFor(provider, ["name", "at"], (k, p) =>
      k.insertInto("WebhookEventType").values({ name: p.name, description: "fixed", createdAt: p.at }),
    );
    const at = new Date("2026-01-02T03:04:05.678Z");
    for (const name of ["a.one", "b.two", "c.three"]) await insert.run(typed(db.sql), { name, at });
    const find = compileFor(provider, ["name"], (k, p) =>
      k.selectFrom("WebhookEventType").select(["name", "description", "createdAt"]).where("name", "=", p.name),
    );
    const { rows } = await find.run(typed(db.sql), { name: "b.two" });
    expect(rows).toEqual([{ name: "b.two", description: "fixed", createdAt: at }]);
    expect(find.sql).toContain(provider === "postgresql" ? "$1" : "?");
  });

  it("reads the first row only, with the schema's types, or nothing", async () => {
    const from = compileFor(provider, ["name"], (k, p) =>
      k.selectFrom("WebhookEventType").select(["name", "createdAt"]).where("name", ">=", p.name).orderBy("name"),
    );
    const at = new Date("2026-01-02T03:04:05.678Z");
    expect(await from.first(typed(db.sql), { name: "b" })).toEqual({ name: "b.two", createdAt: at });
    expect(await from.first(typed(db.sql), { name: "z" })).toBeUndefined();
  });

  it("runs on the transaction whose client it is given, and rolls back with it", async () => {
    // Prepared statements skip Kysely's executor: they must still run on typed(tx)'s own client
    // (the outer client would queue behind the open transaction and never run).
    const insert = compileFor(provider, ["name"], (k, p) =>
      k.insertInto("WebhookEventType").values({ name: p.name, description: null, createdAt: new Date(0) }),
    );
    const find = compileFor(provider, ["name"], (k, p) =>
      k.selectFrom("WebhookEventType").select("name").where("name", "=", p.name),
    );
    await expect(
      db.sql.transaction(async (tx) => {
        await insert.run(typed(tx), { name: "d.rolled-back" });
        expect(await find.first(typed(tx), { name: "d.rolled-back" })).toEqual({ name: "d.rolled-back" });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await find.first(typed(db.sql), { name: "d.rolled-back" })).toBeUndefined();
  });

  it("refuses a name the statement never uses", () => {
    expect(() =>
      compileFor(provider, ["name", "unused"], (k, p) =>
        k.selectFrom("WebhookEventType").select("name").where("name", "=", p.name),
      ),
    ).toThrow(/unused/);
  });
});
