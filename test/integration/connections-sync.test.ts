import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { createConnection } from "../../src/services/connections/write.js";
import type { ServiceContext } from "../../src/services/context.js";
import { createProvider } from "../../src/services/providers/write.js";
import { referenceHistory } from "../../src/services/refs/audit.js";
import { setMapping } from "../../src/services/refs/mappings.js";
import { MappingSpecSchema } from "../../src/services/refs/mapping-schema.js";
import { listJobs } from "../../src/services/sync/jobs.js";
import { runSync } from "../../src/services/sync/run.js";
import { PROVIDERS } from "../helpers/databases.js";
import { makeRecords, startFakePagedApi, type FakePagedApi } from "../helpers/fake-paged-api.js";
import { testServices, type TestServices } from "../helpers/services.js";

// The sync service on each database against the paged fake API: cursor and Link pagination,
// the mapping applied (changed records update, invalid ones are reported), SIGINT leaves an
// interrupted job that the next run resumes, a live job blocks a second run, a stale one is
// reported stalled and taken over, and a remote-deleted record that comes back is revived.

const MIN = 60_000;

describe.each(PROVIDERS)("connections sync on %s", (db) => {
  let t: TestServices;
  let ctx: ServiceContext;
  let api: FakePagedApi;
  let n = 0;
  beforeAll(async () => {
    t = await testServices(db);
    ctx = { ...t.ctx, env: { INTG_MASTER_KEY: generateMasterKey().bytes.toString("base64") } };
    api = await startFakePagedApi(makeRecords(5));
  });
  afterAll(async () => {
    await api?.close();
    await t?.dispose();
  });

  /** A provider declaring `resource` at the fake API, a connection to it, and a contacts mapping. */
  async function setup(resource: object): Promise<string> {
    const slug = `paged${++n}`;
    await createProvider(ctx, {
      slug,
      name: slug,
      category: "CRM",
      baseUrl: api.url,
      auth: { type: "NONE" },
      allowPrivateNetwork: true,
      resources: { contacts: { externalType: "contact", ...resource } },
    });
    const { connection } = await createConnection(ctx, {
      provider: slug,
      environment: "PRODUCTION",
      name: "c",
      config: null,
      rateLimitPerMinute: null,
      credential: null,
    });
    const spec = MappingSpecSchema.parse({
      provider: slug,
      entityType: "user",
      externalType: "contact",
      fieldMappings: [
        { source: "id", target: "id", required: true },
        { source: "email", target: "email", required: true },
      ],
      transformationRules: [
        { kind: "trim", field: "email" },
        { kind: "lowercase", field: "email" },
      ],
    });
    await setMapping(ctx, { name: `${slug}-contacts`, spec });
    return connection.id;
  }
  const sync = (connection: string, more: Partial<Parameters<typeof runSync>[1]> = {}) =>
    runSync(ctx, { connection, resource: "contacts", full: false, timeoutMs: 5000, ...more });

  it("follows cursors, logs each request, updates changed records and reports invalid ones", async () => {
    const id = await setup({ path: "/contacts-cursor", pagination: "cursor" });
    api.requests.length = 0;
    const first = await sync(id);
    expect(api.requests).toEqual(["/contacts-cursor", "/contacts-cursor?cursor=2", "/contacts-cursor?cursor=3"]);
    expect(first.job).toMatchObject({
      status: "succeeded",
      recordsRead: 5,
      recordsCreated: 5,
      recordsUpdated: 0,
      errors: [],
      checkpoint: { cursor: "3" },
    });
    const logged = await ctx.sql.all(`SELECT "id" FROM "ExternalApiRequest" WHERE "connectionId" = ?`, [id]);
    expect(logged).toHaveLength(3);

    api.records[0]!.email = "New@Example.com"; // the mapped record changes: an update
    api.records[1]!.email = " user2@example.COM"; // the same after trim and lowercase: unchanged
    const invalid = { id: "c9", name: "no email" } as unknown as (typeof api.records)[number];
    api.records.push(invalid);
    const second = await sync(id);
    expect(second.job).toMatchObject({
      status: "succeeded",
      recordsRead: 6,
      recordsCreated: 0,
      recordsUpdated: 1,
      errors: [{ externalId: "c9", message: expect.stringContaining("email") }],
    });
    const ref = await ctx.sql.get<{ id: string }>(
      `SELECT "id" FROM "ExternalReference" WHERE "connectionId" = ? AND "externalId" = 'c1'`,
      [id],
    );
    expect((await referenceHistory(ctx.sql, ref!.id)).map((h) => `${h.action}/${h.source}`)).toEqual([
      "link/sync",
      "update/sync",
    ]);
    api.records.splice(0, api.records.length, ...makeRecords(5));
  });

  it("follows Link headers; a record deleted remotely and back is revived by the next full sync", async () => {
    const id = await setup({ path: "/contacts-link", pagination: "link" });
    api.requests.length = 0;
    expect((await sync(id, { full: true })).job).toMatchObject({
      status: "succeeded",
      recordsCreated: 5,
      recordsDeleted: 0,
      checkpoint: { path: "/contacts-link?page=3" },
    });
    expect(api.requests).toEqual(["/contacts-link", "/contacts-link?page=2", "/contacts-link?page=3"]);
    const gone = api.records.splice(4, 1);
    expect((await sync(id, { full: true })).job).toMatchObject({ recordsDeleted: 1 });
    const deleted = await ctx.sql.all<{ externalId: string }>(
      `SELECT "externalId" FROM "ExternalReference" WHERE "connectionId" = ? AND "remoteDeleted" = true`,
      [id],
    );
    expect(deleted.map((d) => d.externalId)).toEqual(["c5"]);
    expect((await sync(id)).job).toMatchObject({ recordsDeleted: 0, recordsUpdated: 0 }); // incremental: deletes nothing
    api.records.push(...gone);
    expect((await sync(id, { full: true })).job).toMatchObject({ recordsUpdated: 1, recordsDeleted: 0 });
    expect(
      await ctx.sql.all(`SELECT "id" FROM "ExternalReference" WHERE "connectionId" = ? AND "remoteDeleted" = true`, [
        id,
      ]),
    ).toEqual([]);
  });

  it("SIGINT mid-sync leaves an interrupted job with its checkpoint; the next run resumes it", async () => {
    const id = await setup({ path: "/contacts", pagination: "page", pageSizeParam: "per_page", pageSize: 2 });
    const stop = new AbortController();
    api.hold(2);
    const run = sync(id, { signal: stop.signal, onPage: () => setTimeout(() => stop.abort(), 50) });
    await expect(run).rejects.toMatchObject({ kind: "interrupted" });
    api.release();
    const [job] = await listJobs(ctx.sql, id, { limit: 5, now: ctx.now(), stalledAfterMs: 10 * MIN });
    expect(job).toMatchObject({ status: "interrupted", checkpoint: { page: 2 }, recordsRead: 2 });
    api.requests.length = 0;
    const resumed = await sync(id);
    expect(api.requests).toEqual(["/contacts?page=2&per_page=2", "/contacts?page=3&per_page=2"]);
    expect(resumed).toMatchObject({
      resumed: true,
      job: { id: job!.id, status: "succeeded", recordsRead: 5, recordsCreated: 5 },
    });
  });

  it("a live running job blocks a second run; once its checkpoint is old it is stalled and taken over", async () => {
    const id = await setup({ path: "/contacts", pagination: "page" });
    const jobId = "sync_01STALLEDJOB0000000000000";
    await ctx.sql.run(
      `INSERT INTO "IntegrationSyncJob" ("id","connectionId","resource","full","status","checkpoint","leaseOwner","heartbeatAt","startedAt") VALUES (?,?,?,?,'running',?,?,?,?)`,
      [jobId, id, "contacts", false, { page: 3 }, `${hostname()}:${process.pid}`, ctx.now(), ctx.now()],
    );
    await expect(sync(id)).rejects.toMatchObject({ kind: "conflict", code: "SYNC_RUNNING" });
    t.advance(11 * MIN);
    expect((await listJobs(ctx.sql, id, { limit: 5, now: ctx.now(), stalledAfterMs: 10 * MIN }))[0]).toMatchObject({
      id: jobId,
      status: "running",
      stalled: true,
    });
    expect((await listJobs(ctx.sql, id, { limit: 5, now: ctx.now(), stalledAfterMs: 20 * MIN }))[0]).toMatchObject({
      stalled: false,
    });
    api.requests.length = 0;
    const run = await sync(id);
    expect(api.requests).toEqual(["/contacts?page=3", "/contacts?page=4"]); // page style without a size: an empty page ends it
    expect(run).toMatchObject({
      resumed: true,
      job: { id: jobId, status: "succeeded", recordsRead: 1, stalled: false },
    });
  });

  it("refuses a bad resource declaration, an unknown resource and a missing mapping with exit 2, writing no job", async () => {
    await expect(
      createProvider(ctx, {
        slug: "badres",
        name: "b",
        category: "CRM",
        baseUrl: api.url,
        auth: { type: "NONE" },
        allowPrivateNetwork: true,
        resources: { contacts: { path: "contacts", externalType: "contact" } },
      }),
    ).rejects.toMatchObject({ kind: "usage" });
    const id = await setup({ path: "/contacts", pagination: "page" });
    await expect(
      runSync(ctx, { connection: id, resource: "deals", full: false, timeoutMs: 1000 }),
    ).rejects.toMatchObject({ kind: "usage", code: "UNKNOWN_RESOURCE" });
    await ctx.sql.run(`DELETE FROM "IntegrationMapping" WHERE "name" = ?`, [`paged${n}-contacts`]);
    await expect(sync(id)).rejects.toMatchObject({ kind: "usage", code: "NO_MAPPING" });
    expect(await listJobs(ctx.sql, id, { limit: 5, now: ctx.now(), stalledAfterMs: MIN })).toEqual([]);
  });
});
