import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSql } from "../../src/db/sql.js";
import { parseDbUrl } from "../../src/db/url.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import type { WebhookDebugInfo, WebhookExportRecord } from "../../src/types/integration/webhook.types.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { startReceiver } from "../helpers/receiver.js";
import { intg } from "../helpers/spawn.js";

// Each attempt records the bytes it signed and sent (issue 13): a transformed endpoint's body is
// kept with the attempt, an untransformed one's by reference (null: the event's payload). Through
// bin/intg: `deliveries show` prints the sent bytes, `webhooks export` pairs them with the
// signature made over them, and `replay --from` sends them to a receiver that verifies with the
// standardwebhooks package. An attempt whose transformation failed sent nothing and says so.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
afterAll(() => home.dispose());

describe.each(PROVIDERS)("the bytes each attempt sent, through bin/intg on %s", (provider) => {
  it("shows, exports and replays a transformed delivery's sent bytes; keeps untransformed ones by reference", async () => {
    const db = await tempDb(provider);
    const [shaped, plain, slack, fixed] = await Promise.all([
      startReceiver(),
      startReceiver(),
      startReceiver(),
      startReceiver(),
    ]);
    const offline = await startReceiver({ strict: true }); // Webhook.verify itself, timestamp tolerance too
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ALLOW_PRIVATE_NETWORKS: "1" };
    const ok = async (...args: string[]) => {
      const r = await intg(args, { env });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r;
    };
    const json = async <T>(...args: string[]) => JSON.parse((await ok(...args, "--json")).stdout) as T;
    const create = async (url: string, ...flags: string[]) =>
      json<{ id: string; secret: string }>("webhooks", "endpoints", "create", "--url", url, ...flags);
    try {
      await ok("db", "migrate");
      const a = await create(
        shaped.url,
        "--transform",
        '{"id": $$.type & ":" & data.id, "cents": data.amount * 100}',
        "--header",
        "x-token:tok",
      );
      const b = await create(plain.url);
      const c = await create(slack.url, "--channel", "slack");
      const d = await create(fixed.url, "--transform", '$error("not yet")');
      [shaped.secrets, plain.secrets, slack.secrets, fixed.secrets] = [[a.secret], [b.secret], [c.secret], [d.secret]];
      const event = await json<{ id: string }>(
        "webhooks",
        "send",
        "invoice.paid",
        "--data",
        '{"id": "in_7", "amount": 42}',
        "--allow-unknown-type",
      );
      await ok("webhooks", "worker", "--once");
      expect([shaped, plain, slack].map((r) => [r.received.length, r.received[0]?.valid])).toEqual([
        [1, true],
        [1, true],
        [1, true],
      ]);
      expect(fixed.received).toHaveLength(0);
      const sentA = shaped.received[0]!.body;
      expect(JSON.parse(sentA)).toEqual({ id: "invoice.paid:in_7", cents: 4200 });

      const list = await json<{ id: string; endpointId: string }[]>("webhooks", "deliveries", "list");
      const dlv = (ep: { id: string }) => list.find((x) => x.endpointId === ep.id)!.id;
      const sql = await openSql(parseDbUrl(db.url, "--db", process.cwd()));
      try {
        const { payload } = (await sql.get<{ payload: string }>(`SELECT "payload" FROM "WebhookEvent" WHERE "id" = ?`, [
          event.id,
        ]))!;
        const stored = async (ep: { id: string }) =>
          sql.all<{ requestBody: string | null; requestHeaders: unknown }>(
            `SELECT "requestBody", "requestHeaders" FROM "WebhookDeliveryAttempt" WHERE "endpointId" = ? ORDER BY "attemptNumber"`,
            [ep.id],
          );
        // Sent as the event's payload: stored by reference. Transformed: the bytes themselves.
        expect((await stored(b)).map((x) => x.requestBody)).toEqual([null]);
        expect((await stored(a)).map((x) => x.requestBody)).toEqual([sentA]);
        expect((await stored(c)).map((x) => x.requestBody)).toEqual([slack.received[0]!.body]);
        // The failed transformation sent no request: neither headers nor a body are recorded.
        expect(await stored(d)).toEqual([{ requestBody: null, requestHeaders: null }]);

        const showA = await json<WebhookDebugInfo>("webhooks", "deliveries", "show", dlv(a));
        expect(showA.body).toBe(sentA);
        expect(showA.bodyAttemptId).toBe(showA.attempts[0]!.id);
        expect(showA.attempts.map((x) => x.requestBody)).toEqual([sentA]);
        expect(showA.attempts[0]!.requestHeaders["webhook-signature"]).toBe(
          shaped.received[0]!.headers["webhook-signature"],
        );
        expect((await ok("webhooks", "deliveries", "show", dlv(a))).stdout).toContain(sentA);
        const showB = await json<WebhookDebugInfo>("webhooks", "deliveries", "show", dlv(b));
        expect([showB.body, showB.attempts[0]!.requestBody]).toEqual([payload, payload]);
        expect(plain.received[0]!.body).toBe(payload);
        const showD = await json<WebhookDebugInfo>("webhooks", "deliveries", "show", dlv(d));
        expect([showD.body, showD.bodyAttemptId, showD.attempts.map((x) => x.requestBody)]).toEqual([
          payload,
          null,
          [null],
        ]);

        // A manual replay after the expression is fixed records what it sent, the same way.
        await ok("webhooks", "endpoints", "update", d.id, "--transform", '{"fixed": data.id}');
        await ok("webhooks", "replay", dlv(d));
        expect(fixed.received.map((r) => [r.body, r.valid])).toEqual([['{"fixed":"in_7"}', true]]);
        expect((await stored(d)).map((x) => x.requestBody)).toEqual([null, '{"fixed":"in_7"}']);
        const showD2 = await json<WebhookDebugInfo>("webhooks", "deliveries", "show", dlv(d));
        expect([showD2.body, showD2.bodyAttemptId]).toEqual(['{"fixed":"in_7"}', showD2.attempts[1]!.id]);
      } finally {
        await sql.close();
      }

      // Export pairs each signature with the bytes it was made over; replay --from sends them as
      // they are, and the receiver (knowing each endpoint's secret) verifies every one.
      const file = join(home.path, `sent-${provider}.ndjson`);
      await ok("webhooks", "export", "--since", "1h", "--out", file);
      const records = readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as WebhookExportRecord);
      const byEndpoint = new Map(records.map((r) => [r.endpointId, r]));
      expect(byEndpoint.get(a.id)).toMatchObject({ body: sentA, headersSource: "last_attempt" });
      expect(byEndpoint.get(a.id)!.headers["webhook-signature"]).toBe(shaped.received[0]!.headers["webhook-signature"]);
      expect(byEndpoint.get(b.id)!.body).toBe(plain.received[0]!.body);
      expect(byEndpoint.get(c.id)!.body).toBe(slack.received[0]!.body);
      expect(byEndpoint.get(d.id)!.body).toBe('{"fixed":"in_7"}');
      for (const ep of [a, b, c, d]) {
        offline.secrets = [ep.secret];
        const one = join(home.path, `one-${provider}-${ep.id}.ndjson`);
        writeFileSync(one, JSON.stringify(byEndpoint.get(ep.id)) + "\n");
        await ok("webhooks", "replay", "--from", one, "--to", offline.url, "--allow-private-network");
        expect(offline.received.at(-1)!.body).toBe(byEndpoint.get(ep.id)!.body);
        expect(offline.received.at(-1)!.valid, ep.id).toBe(true);
      }
    } finally {
      await Promise.all([shaped, plain, slack, fixed, offline].map((r) => r.close()));
      await db.dispose();
    }
  }, 90_000);
});
