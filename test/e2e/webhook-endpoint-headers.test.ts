import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSql } from "../../src/db/sql.js";
import { parseDbUrl } from "../../src/db/url.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import type { WebhookExportRecord } from "../../src/types/integration/webhook.types.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { startReceiver } from "../helpers/receiver.js";
import { intg } from "../helpers/spawn.js";

// Endpoint header flags through bin/intg, against concurrent writers: several processes replace
// an endpoint's headers at once while a worker delivers. Every request carries one whole header
// set that was given (never a mix, never a sealed envelope), the endpoint ends with one of them,
// and no value is stored in the clear.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
afterAll(() => home.dispose());

describe.each(PROVIDERS)("endpoint header flags on %s", (provider) => {
  it("warns about a credential in --header, refuses ambiguous sources, and survives concurrent updates", async () => {
    const db = await tempDb(provider);
    const receiver = await startReceiver();
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url };
    const run = (args: string[], input?: string) => intg(args, { env, input });
    try {
      expect((await run(["db", "migrate"])).code).toBe(0);
      const plain = await run([
        "webhooks",
        "endpoints",
        "create",
        "--url",
        receiver.url,
        "--allow-private-network",
        "--header",
        "X-Team: billing",
        "--json",
      ]);
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stderr).not.toContain("looks like a credential");
      const endpoint = JSON.parse(plain.stdout) as { id: string; secret: string };
      receiver.secrets = [endpoint.secret];
      const warned = await run(["webhooks", "endpoints", "update", endpoint.id, "--header", "X-Api-Key: k"]);
      expect(warned.code, warned.stderr).toBe(0);
      expect(warned.stderr).toMatch(/--header X-Api-Key looks like a credential.*--header-file/);
      const file = join(home.path, `h-${provider}.txt`);
      writeFileSync(file, "Authorization: Bearer x\n");
      const both = await run(
        ["webhooks", "endpoints", "update", endpoint.id, "--header-file", file, "--headers-stdin"],
        "X-A: b\n",
      );
      expect(both.code).toBe(2);
      const twice = await run([
        "webhooks",
        "endpoints",
        "update",
        endpoint.id,
        "--header",
        "authorization: a",
        "--header-file",
        file,
      ]);
      expect([twice.code, twice.stderr]).toEqual([2, expect.stringContaining("given twice")]);

      // Four writers at once, each with its own token, while a worker delivers.
      const tokens = Array.from({ length: 4 }, () => `tok-${randomBytes(10).toString("hex")}`);
      for (let i = 0; i < 8; i++)
        expect(
          (await run(["webhooks", "send", "order.created", "--data", `{"n":${i}}`, "--allow-unknown-type"])).code,
        ).toBe(0);
      const results = await Promise.all([
        ...tokens.map((t) =>
          run(
            ["webhooks", "endpoints", "update", endpoint.id, "--headers-stdin"],
            `Authorization: Bearer ${t}\nX-Token-Id: ${t}\n`,
          ),
        ),
        run(["webhooks", "worker", "--once"]),
      ]);
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      expect((await run(["webhooks", "worker", "--once"])).code).toBe(0);
      expect(receiver.received.length).toBeGreaterThanOrEqual(8);
      for (const r of receiver.received) {
        expect(r.valid).toBe(true);
        const auth = String(r.headers.authorization ?? "");
        // A whole set each time: the key and its id together, or the earlier X-Api-Key set.
        if (auth) expect(auth).toBe(`Bearer ${r.headers["x-token-id"]}`);
        else expect(r.headers["x-api-key"]).toBe("k");
      }

      const out = join(home.path, `with-${provider}.ndjson`);
      expect(
        (await run(["webhooks", "export", "--endpoint", endpoint.id, "--out", out, "--with-endpoint-headers"])).code,
      ).toBe(0);
      const [record] = readFileSync(out, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as WebhookExportRecord);
      const final = String(record!.headers["X-Token-Id"]);
      expect(tokens).toContain(final);
      expect(record!.headers.Authorization).toBe(`Bearer ${final}`);

      const sql = await openSql(parseDbUrl(db.url, "--db", process.cwd()));
      try {
        const tables = ["WebhookEndpoint", "WebhookDeliveryAttempt", "AuditEvent"];
        const rows = JSON.stringify(await Promise.all(tables.map((t) => sql.all(`SELECT * FROM "${t}"`))));
        for (const t of tokens) expect(rows.includes(t), "a token stored in the clear").toBe(false);
        expect(rows).toContain("[redacted]");
      } finally {
        await sql.close();
      }
    } finally {
      await receiver.close();
      await db.dispose();
    }
  }, 90_000);
});
