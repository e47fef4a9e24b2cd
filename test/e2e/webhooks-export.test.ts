import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSql } from "../../src/db/sql.js";
import { parseDbUrl } from "../../src/db/url.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { generateSigningSecret } from "../../src/lib/webhook-signing.js";
import type { WebhookExportRecord, WebhookOfflineReplayResult } from "../../src/types/integration/webhook.types.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { startReceiver } from "../helpers/receiver.js";
import { intg } from "../helpers/spawn.js";

// export -> replay --from through bin/intg: the export holds the stored bytes and the headers the
// receiver saw; the offline replay sends them to another receiver with no database at all (the
// configured one does not exist, and still does not afterwards), same bytes, same webhook-ids.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
afterAll(() => home.dispose());

describe.each(PROVIDERS)("webhooks export and replay --from through bin/intg on %s", (provider) => {
  it("round-trips deliveries to a receiver without a database, byte for byte", async () => {
    const db = await tempDb(provider);
    const original = await startReceiver();
    const offline = await startReceiver({ strict: false });
    const resigned = await startReceiver({ strict: true });
    const down = await startReceiver({ respond: () => ({ status: 500 }) });
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url };
    const ok = async (args: string[], e: Record<string, string> = env) => {
      const r = await intg(args, { env: e });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r;
    };
    try {
      await ok(["db", "migrate"]);
      const endpoint = JSON.parse(
        (
          await ok([
            "webhooks",
            "endpoints",
            "create",
            "--url",
            original.url,
            "--allow-private-network",
            "--header",
            "x-endpoint-token:tok",
            "--json",
          ])
        ).stdout,
      ) as { id: string; secret: string };
      original.secrets = offline.secrets = down.secrets = [endpoint.secret];
      await ok([
        "webhooks",
        "send",
        "order.created",
        "--data",
        '{"note":"héllo \\u2603  spaced","n":1}',
        "--allow-unknown-type",
      ]);
      await ok(["webhooks", "send", "order.paid", "--data", '{"n":2}', "--allow-unknown-type"]);
      await ok(["webhooks", "worker", "--once"]);
      expect(original.received).toHaveLength(2);
      expect(original.received.map((r) => r.headers["x-endpoint-token"])).toEqual(["tok", "tok"]); // sent as they are
      // Sent after the worker ran: never attempted, so signed at export time.
      await ok(["webhooks", "send", "order.shipped", "--data", '{"n":3}', "--allow-unknown-type"]);

      const file = join(home.path, `export-${provider}.ndjson`);
      await ok(["webhooks", "export", "--endpoint", endpoint.id, "--since", "1h", "--out", file]);
      const records = readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as WebhookExportRecord);
      expect(records).toHaveLength(3);
      const sql = await openSql(parseDbUrl(db.url, "--db", process.cwd()));
      const payloads = new Map(
        (await sql.all<{ id: string; payload: string }>(`SELECT "id", "payload" FROM "WebhookEvent"`)).map((r) => [
          r.id,
          r.payload,
        ]),
      );
      await sql.close();
      for (const r of records) {
        expect(r.body).toBe(payloads.get(r.eventId)); // the stored bytes
        expect(r.webhookId).toBe(r.eventId);
        expect(r.endpointId).toBe(endpoint.id);
        // The endpoint's own headers (often its credential) are named, not exported, unless asked for.
        expect(r.headers["x-endpoint-token"]).toBeUndefined();
        expect(r.endpointHeaderNames).toEqual(["x-endpoint-token"]);
      }
      expect(readFileSync(file, "utf8")).not.toContain('tok"');
      const fileWith = join(home.path, `export-with-${provider}.ndjson`);
      await ok([
        "webhooks",
        "export",
        "--endpoint",
        endpoint.id,
        "--since",
        "1h",
        "--out",
        fileWith,
        "--with-endpoint-headers",
      ]);
      const withHeaders = readFileSync(fileWith, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as WebhookExportRecord);
      expect(withHeaders.map((r) => [r.deliveryId, r.headers["x-endpoint-token"]])).toEqual(
        records.map((r) => [r.deliveryId, "tok"]),
      );
      const lastAttempt = (rs: WebhookExportRecord[]) =>
        rs.filter((r) => r.headersSource === "last_attempt").map((r) => r.headers["webhook-signature"]);
      expect(lastAttempt(withHeaders)).toEqual(lastAttempt(records));
      const attempted = records.filter((r) => r.headersSource === "last_attempt");
      expect(attempted).toHaveLength(2);
      for (const r of attempted)
        expect(r.headers["webhook-signature"]).toBe(
          original.received.find((x) => x.id === r.webhookId)!.headers["webhook-signature"],
        );
      expect(records.find((r) => r.headersSource === "signed_at_export")).toMatchObject({
        status: "PENDING",
        attemptCount: 0,
      });
      const byStatus = await ok(["webhooks", "export", "--status", "pending"]);
      expect(byStatus.stdout.trim().split("\n")).toHaveLength(1);

      // No database: the configured SQLite file's folder does not exist.
      const missing = join(home.path, "no-such-dir", "intg.db");
      const noDb = { HOME: home.path, INTG_DATABASE_URL: `file:${missing}` };
      const sent = await ok(
        ["webhooks", "replay", "--from", file, "--to", offline.url, "--allow-private-network", "--json"],
        noDb,
      );
      expect(existsSync(join(home.path, "no-such-dir"))).toBe(false);
      const lines = sent.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as WebhookOfflineReplayResult);
      expect(lines.map((l) => [l.webhookId, l.succeeded, l.signed])).toEqual(
        records.map((r) => [r.webhookId, true, "exported"]),
      );
      expect(offline.received.map((r) => r.body)).toEqual(records.map((r) => r.body));
      expect(offline.received.map((r) => r.id)).toEqual(records.map((r) => r.webhookId));
      expect(offline.received.every((r) => r.valid)).toBe(true); // the exported signatures verify
      // The endpoint's own headers (often its credentials) do not go to another URL unless asked.
      expect(offline.received.map((r) => r.headers["x-endpoint-token"])).toEqual([undefined, undefined, undefined]);

      // --secret-file: re-signed now with another secret, still the same bytes and ids.
      const secret = generateSigningSecret();
      resigned.secrets = [secret];
      const secretFile = join(home.path, "other.secret");
      writeFileSync(secretFile, secret + "\n");
      await ok(
        [
          "webhooks",
          "replay",
          "--from",
          fileWith,
          "--to",
          resigned.url,
          "--secret-file",
          secretFile,
          "--allow-private-network",
          "--with-endpoint-headers",
        ],
        noDb,
      );
      expect(resigned.received.map((r) => [r.id, r.body, r.valid, r.headers["x-endpoint-token"]])).toEqual(
        records.map((r) => [r.webhookId, r.body, true, "tok"]),
      );

      const failed = await intg(
        ["webhooks", "replay", "--from", file, "--to", down.url, "--allow-private-network", "--json"],
        { env: noDb },
      );
      expect(failed.code).toBe(3);
      expect(
        failed.stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l).statusCode),
      ).toEqual([500, 500, 500]);

      const badFile = join(home.path, "bad.ndjson");
      writeFileSync(badFile, '{"deliveryId":"dlv_1"}\n');
      const before = offline.received.length;
      for (const bad of [
        ["--from", file],
        ["--to", offline.url],
        ["--from", file, "--to", offline.url], // loopback without --allow-private-network
        ["--from", file, "--to", offline.url, "--allow-private-network", "--event", "evt_1"],
        ["--from", file, "--to", offline.url, "--allow-private-network", "--status", "delivered"],
        ["dlv_1", "--from", file, "--to", offline.url, "--allow-private-network"],
        ["--from", badFile, "--to", offline.url, "--allow-private-network"],
        ["--from", join(home.path, "absent.ndjson"), "--to", offline.url, "--allow-private-network"],
        ["--from", file, "--to", "ftp://example.com/x", "--allow-private-network"],
        ["--endpoint", endpoint.id, "--since", "1h", "--secret-file", secretFile],
        ["--endpoint", endpoint.id, "--since", "1h", "--with-endpoint-headers"],
      ]) {
        const r = await intg(["webhooks", "replay", ...bad], { env: noDb });
        expect(r.code, `${bad.join(" ")}: ${r.stderr}`).toBe(2);
      }
      expect(offline.received).toHaveLength(before);
      for (const bad of [
        ["--status", "lost"],
        ["--since", "whenever"],
        ["--out", join(home.path, "nope", "x.ndjson")],
      ]) {
        expect((await intg(["webhooks", "export", ...bad], { env })).code, bad.join(" ")).toBe(2);
      }
      expect((await intg(["webhooks", "export", "--endpoint", "ep_missing"], { env })).code).toBe(5);
    } finally {
      await Promise.all([original.close(), offline.close(), resigned.close(), down.close()]);
      await db.dispose();
    }
  }, 60_000);
});
