import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSql } from "../../src/db/sql.js";
import { parseDbUrl } from "../../src/db/url.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { intg } from "../helpers/spawn.js";

// Idempotency keys through bin/intg: the same key and data return the first event (exit 0); other
// data or another type exit 6 naming the first event, and nothing is written, in a batch too.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
afterAll(() => home.dispose());

describe.each(PROVIDERS)("webhooks send --idempotency-key through bin/intg on %s", (provider) => {
  it("returns the first event for the same data, exits 6 for different data or type", async () => {
    const db = await tempDb(provider);
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ACTOR: "e2e" };
    const run = (args: string[]) => intg(args, { env });
    const count = async () => {
      const sql = await openSql(parseDbUrl(db.url, "--db", process.cwd()));
      try {
        return Number((await sql.get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "WebhookEvent"`))!.n);
      } finally {
        await sql.close();
      }
    };
    try {
      expect((await run(["db", "migrate"])).code).toBe(0);
      const send = (data: string, type = "order.paid") =>
        run(["webhooks", "send", type, "--data", data, "--idempotency-key", "k1", "--allow-unknown-type", "--json"]);
      const first = await send('{"a":1,"b":[1,2]}');
      expect(first.code, first.stderr).toBe(0);
      const id = (JSON.parse(first.stdout) as { id: string }).id;
      const same = await send('{ "b": [1, 2], "a": 1 }');
      expect(same.code, same.stderr).toBe(0);
      expect((JSON.parse(same.stdout) as { id: string }).id).toBe(id);

      const changed = await send('{"a":2,"b":[1,2]}');
      expect(changed.code).toBe(6);
      expect(JSON.parse(changed.stderr)).toMatchObject({
        error: { code: "IDEMPOTENCY_KEY_REUSED", message: expect.stringContaining(id) },
      });
      const plain = await run([
        "webhooks",
        "send",
        "order.refunded",
        "--data",
        '{"a":1,"b":[1,2]}',
        "--idempotency-key",
        "k1",
        "--allow-unknown-type",
      ]);
      expect(plain.code).toBe(6);
      expect(plain.stderr).toContain(
        `idempotency key "k1" was already used by event ${id} with different type (order.paid)`,
      );

      const file = join(home.path, `batch-${provider}.ndjson`);
      writeFileSync(
        file,
        [
          '{"type":"order.paid","data":{"n":1},"idempotencyKey":"k2"}',
          '{"type":"order.paid","data":{"a":9,"b":[1,2]},"idempotencyKey":"k1"}',
        ].join("\n"),
      );
      const batch = await run(["webhooks", "send", "--batch-file", file, "--allow-unknown-type"]);
      expect(batch.code).toBe(6);
      expect(batch.stderr).toMatch(new RegExp(`line 2: idempotency key "k1" was already used by event ${id}`));
      expect(await count()).toBe(1); // line 1 was rolled back with the batch

      // Two processes racing with one key and different data: one records, the other exits 6 naming it.
      const race = await Promise.all(
        [1, 2].map((n) =>
          run([
            "webhooks",
            "send",
            "order.paid",
            "--data",
            `{"n":${n}}`,
            "--idempotency-key",
            "k3",
            "--allow-unknown-type",
            "--json",
          ]),
        ),
      );
      expect(race.map((r) => r.code).sort()).toEqual([0, 6]);
      const winner = (JSON.parse(race.find((r) => r.code === 0)!.stdout) as { id: string }).id;
      expect(race.find((r) => r.code === 6)!.stderr).toContain(winner);
      expect(await count()).toBe(2);
    } finally {
      await db.dispose();
    }
  }, 60_000);
});
