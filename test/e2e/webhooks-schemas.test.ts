import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { intg } from "../helpers/spawn.js";

// Event types' JSON Schemas through bin/intg: the schema itself is checked (2020-12, strict), and
// every event of the type, one or a batch, is checked against it before anything is written.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
afterAll(() => home.dispose());

describe.each(PROVIDERS)("event-type schemas through bin/intg on %s", (provider) => {
  it("refuses a schema that is not one, and data that breaks its type's schema, naming the paths", async () => {
    const db = await tempDb(provider);
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ALLOW_PRIVATE_NETWORKS: "1" };
    const run = (args: string[]) => intg(args, { env });
    try {
      expect((await run(["db", "migrate"])).code).toBe(0);
      expect((await run(["webhooks", "endpoints", "create", "--url", "http://127.0.0.1:9/hooks"])).code).toBe(0);
      const file = (name: string, text: string) => (writeFileSync(join(home.path, name), text), join(home.path, name));
      const bogus = await run([
        "webhooks",
        "event-types",
        "create",
        "order.bogus",
        "--schema-file",
        file(`bogus-${provider}.json`, '{"type":"foo"}'),
      ]);
      expect(bogus.code).toBe(2);
      expect(bogus.stderr).toMatch(/not a valid JSON Schema/);
      const typo = await run([
        "webhooks",
        "event-types",
        "create",
        "order.typo",
        "--schema-file",
        file(`typo-${provider}.json`, '{"type":"object","requried":["id"]}'),
      ]);
      expect(typo.code).toBe(2);
      const schema = {
        type: "object",
        required: ["id", "amount"],
        properties: { id: { type: "string" }, amount: { type: "integer" } },
      };
      expect(
        (
          await run([
            "webhooks",
            "event-types",
            "create",
            "order.placed",
            "--schema-file",
            file(`s-${provider}.json`, JSON.stringify(schema)),
          ])
        ).code,
      ).toBe(0);

      const bad = await run(["webhooks", "send", "order.placed", "--data", '{"id":5,"amount":"x"}']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("/id must be string");
      expect(bad.stderr).toContain("/amount must be integer");
      const batch = file(
        `batch-${provider}.ndjson`,
        ['{"type":"order.placed","data":{"id":"a","amount":1}}', '{"type":"order.placed","data":{"id":"b"}}'].join(
          "\n",
        ) + "\n",
      );
      const badBatch = await run(["webhooks", "send", "--batch-file", batch]);
      expect(badBatch.code).toBe(2);
      expect(badBatch.stderr).toMatch(
        /line 2: the data does not match the schema of order\.placed: \/ must have required property 'amount'/,
      );
      expect(JSON.parse((await run(["webhooks", "deliveries", "list", "--json"])).stdout)).toEqual([]);

      const good = await run(["webhooks", "send", "order.placed", "--data", '{"id":"o1","amount":3}', "--json"]);
      expect(good.code, good.stderr).toBe(0);
      expect(JSON.parse((await run(["webhooks", "deliveries", "list", "--json"])).stdout)).toHaveLength(1);

      // update: a new schema is checked first; the data of the next send against it.
      expect(
        (
          await run([
            "webhooks",
            "event-types",
            "update",
            "order.placed",
            "--schema-file",
            file(`bogus2-${provider}.json`, '{"type":"foo"}'),
          ])
        ).code,
      ).toBe(2);
      expect(
        (await run(["webhooks", "event-types", "update", "order.placed", "--no-schema", "--description", "Placed"]))
          .code,
      ).toBe(0);
      expect((await run(["webhooks", "send", "order.placed", "--data", '{"id":5}'])).code).toBe(0);
      // deprecate: still sends, with a warning; delete: refused while events are kept, unless --force.
      expect((await run(["webhooks", "event-types", "deprecate", "order.placed"])).code).toBe(0);
      const warned = await run(["webhooks", "send", "order.placed", "--data", '{"id":"o2","amount":1}']);
      expect(warned.code).toBe(0);
      expect(warned.stderr).toContain("order.placed is deprecated");
      const [listed] = JSON.parse((await run(["webhooks", "event-types", "list", "--json"])).stdout);
      expect(listed).toMatchObject({
        name: "order.placed",
        description: "Placed",
        schema: null,
        archivedAt: expect.any(String),
      });
      const inUse = await run(["webhooks", "event-types", "delete", "order.placed", "--yes"]);
      expect(inUse.code).toBe(6);
      expect(inUse.stderr).toContain("3 event(s) of type order.placed");
      expect((await run(["webhooks", "event-types", "delete", "order.placed", "--yes", "--force"])).code).toBe(0);
      expect((await run(["webhooks", "event-types", "delete", "order.placed", "--yes"])).code).toBe(5);
    } finally {
      await db.dispose();
    }
  });
});
