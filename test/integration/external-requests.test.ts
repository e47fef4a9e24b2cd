import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode, exitCodeOf } from "../../src/cli/exit-codes.js";
import type { IntgError } from "../../src/errors.js";
import { listExternalRequests } from "../../src/services/external-requests/list.js";
import { recordExternalRequest } from "../../src/services/external-requests/record.js";
import { PROVIDERS } from "../helpers/databases.js";
import { testServices, type TestServices } from "../helpers/services.js";

describe.each(PROVIDERS)("outbound API request log on %s", (provider) => {
  let t: TestServices;
  beforeAll(async () => {
    t = await testServices(provider);
    const now = new Date();
    await t.ctx.sql.run(
      `INSERT INTO "IntegrationProvider" ("id","slug","name","category","baseUrl","authType","createdAt","updatedAt") VALUES (?,?,?,?,?,?,?,?)`,
      ["prov_1", "acme", "Acme", "CRM", "https://api.acme.test", "API_KEY", now, now],
    );
    for (const id of ["conn_a", "conn_b"]) {
      await t.ctx.sql.run(
        `INSERT INTO "IntegrationConnection" ("id","providerId","name","environment","createdAt","updatedAt") VALUES (?,?,?,?,?,?)`,
        [id, "prov_1", id, "PRODUCTION", now, now],
      );
    }
  });
  afterAll(async () => t?.dispose());

  it("stores the URL without credentials and returns the view", async () => {
    const info = await recordExternalRequest(t.ctx, {
      connectionId: "conn_a",
      method: "get",
      url: "https://bot:hunter2@api.acme.test/v1/contacts?limit=5&api_key=sk_live_LEAK&access_token=LEAK2#frag",
      statusCode: 200,
      latencyMs: 123.4,
      errorKind: null,
      requestBytes: 0,
      responseBytes: 2048,
    });
    expect(info).toEqual({
      id: expect.stringMatching(/^req_/),
      connectionId: "conn_a",
      method: "GET",
      url: "https://api.acme.test/v1/contacts?limit=5&api_key=REDACTED&access_token=REDACTED",
      statusCode: 200,
      latencyMs: 123,
      errorKind: null,
      requestBytes: 0,
      responseBytes: 2048,
      createdAt: "2026-01-15T12:00:00.000Z",
    });
    const stored = JSON.stringify(await t.ctx.sql.all(`SELECT * FROM "ExternalApiRequest"`));
    for (const leak of ["hunter2", "sk_live_LEAK", "LEAK2", "bot:"]) expect(stored).not.toContain(leak);
    expect(await listExternalRequests(t.ctx, { limit: 10 })).toEqual([info]);
  });

  it("records failures without a response, and lists newest first, by connection and since", async () => {
    t.advance(60_000);
    const timeout = await recordExternalRequest(t.ctx, {
      connectionId: "conn_b",
      method: "POST",
      url: "https://api.acme.test/v1/sync",
      statusCode: null,
      latencyMs: 30_000,
      errorKind: "timeout",
      requestBytes: 512,
    });
    expect(timeout).toMatchObject({ statusCode: null, errorKind: "timeout", requestBytes: 512, responseBytes: 0 });
    t.advance(60_000);
    const later = await recordExternalRequest(t.ctx, {
      connectionId: "conn_a",
      method: "DELETE",
      url: "https://api.acme.test/v1/x/1",
      statusCode: 404,
      latencyMs: 9,
    });
    t.advance(60_000);
    const orphan = await recordExternalRequest(t.ctx, {
      connectionId: null,
      method: "GET",
      url: "https://api.acme.test/",
      statusCode: 204,
      latencyMs: 1,
    });

    const all = await listExternalRequests(t.ctx, { limit: 10 });
    expect(all.map((r) => r.id)).toEqual([orphan.id, later.id, timeout.id, all[3]!.id]);
    expect((await listExternalRequests(t.ctx, { connectionId: "conn_a", limit: 10 })).map((r) => r.method)).toEqual([
      "DELETE",
      "GET",
    ]);
    expect(
      (await listExternalRequests(t.ctx, { since: new Date("2026-01-15T12:01:00.000Z"), limit: 10 })).map((r) => r.id),
    ).toEqual([orphan.id, later.id, timeout.id]);
    expect((await listExternalRequests(t.ctx, { limit: 2 })).map((r) => r.id)).toEqual([orphan.id, later.id]);
  });

  it("refuses values that are not an HTTP request's (exit 2), storing nothing", async () => {
    const before = (await listExternalRequests(t.ctx, { limit: 100 })).length;
    const base = { connectionId: null, method: "GET", url: "https://x.test/", statusCode: 200, latencyMs: 1 };
    for (const bad of [{ method: "GET /" }, { statusCode: 42 }, { latencyMs: -1 }, { responseBytes: Number.NaN }]) {
      const e = (await recordExternalRequest(t.ctx, { ...base, ...bad }).catch((x: unknown) => x)) as IntgError;
      expect(exitCodeOf(e), JSON.stringify(bad)).toBe(ExitCode.USAGE);
    }
    expect(exitCodeOf((await listExternalRequests(t.ctx, { limit: 0 }).catch((x: unknown) => x)) as IntgError)).toBe(
      ExitCode.USAGE,
    );
    expect((await listExternalRequests(t.ctx, { limit: 100 })).length).toBe(before);
  });
});
