import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { startReceiver } from "../helpers/receiver.js";
import { intg } from "../helpers/spawn.js";

// The data given to `webhooks send` is what the receiver gets, byte for byte, inside the envelope:
// never parsed and serialised again (which turned 9007199254740993 into …992 and -0.0 into 0).

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
afterAll(() => home.dispose());

describe.each(PROVIDERS)("exact bytes through send and the worker on %s", (provider) => {
  it("delivers the data exactly as given, signed; refuses invalid UTF-8 and deep nesting with exit 2", async () => {
    const db = await tempDb(provider);
    const receiver = await startReceiver();
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ALLOW_PRIVATE_NETWORKS: "1" };
    const run = (args: string[], input?: string) => intg(args, { env, input });
    try {
      expect((await run(["db", "migrate"])).code).toBe(0);
      const ep = JSON.parse((await run(["webhooks", "endpoints", "create", "--url", receiver.url, "--json"])).stdout);
      receiver.secrets = [ep.secret];
      const data = '{"big": 9007199254740993, "neg": -0.0, "huge": 1e400, "nul": "\\u0000", "é": "ü"}';
      const file = join(home.path, `data-${provider}.json`);
      writeFileSync(file, `  ${data}\n`);
      expect((await run(["webhooks", "send", "exact.file", "--data-file", file, "--allow-unknown-type"])).code).toBe(0);
      expect((await run(["webhooks", "send", "exact.flag", "--data", data, "--allow-unknown-type"])).code).toBe(0);
      expect((await run(["webhooks", "send", "exact.stdin", "-", "--allow-unknown-type"], data)).code).toBe(0);
      expect((await run(["webhooks", "worker", "--once"])).code).toBe(0);
      expect(receiver.received).toHaveLength(3);
      for (const r of receiver.received) {
        expect(r.valid).toBe(true);
        expect(r.body.endsWith(`,"data":${data}}`)).toBe(true);
      }

      const before = (await run(["webhooks", "deliveries", "list", "--json"])).stdout;
      const latin1 = join(home.path, `latin1-${provider}.json`);
      writeFileSync(latin1, Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d])); // {"a":"é"} in Latin-1
      const bad = await run(["webhooks", "send", "exact.bad", "--data-file", latin1, "--allow-unknown-type"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("not valid UTF-8");
      const deep = "[".repeat(5000) + "]".repeat(5000);
      const tooDeep = await run(["webhooks", "send", "exact.deep", "-", "--allow-unknown-type"], deep);
      expect(tooDeep.code).toBe(2);
      expect(tooDeep.stderr).toContain("nests deeper than 128 levels");
      const batch = join(home.path, `deep-${provider}.ndjson`);
      writeFileSync(batch, `{"type":"exact.deep","data":${deep}}\n`);
      expect((await run(["webhooks", "send", "--batch-file", batch, "--allow-unknown-type"])).code).toBe(2);
      expect((await run(["webhooks", "deliveries", "list", "--json"])).stdout).toBe(before);
    } finally {
      await receiver.close();
      await db.dispose();
    }
  });

  it("delivers each --batch-file line's data as written; refuses invalid UTF-8 and a repeated key", async () => {
    const db = await tempDb(provider);
    const receiver = await startReceiver();
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ALLOW_PRIVATE_NETWORKS: "1" };
    const run = (args: string[]) => intg(args, { env });
    const file = (name: string, content: string | Buffer) => {
      const path = join(home.path, `${name}-${provider}.ndjson`);
      writeFileSync(path, content);
      return path;
    };
    try {
      expect((await run(["db", "migrate"])).code).toBe(0);
      const ep = JSON.parse((await run(["webhooks", "endpoints", "create", "--url", receiver.url, "--json"])).stdout);
      receiver.secrets = [ep.secret];
      const datas = [
        "9007199254740993",
        "-0.0",
        "1e400",
        '"\\u0000"',
        '{"big": 9007199254740993, "neg": -0.0, "é": ["\\u0000", 1e400]}',
      ];
      const lines = [
        `{"type":"exact.batch","data":${datas[0]}}`,
        `{"data":${datas[1]},"type":"exact.batch"}`,
        ` { "type" : "exact.batch" , "data" :\t${datas[2]} , "idempotencyKey" : "k-${provider}" }\r`,
        `{"type":"exact.batch","note":"\\"data\\":0","data":${datas[3]}}`,
        `{"type":"exact.batch","data":${datas[4]}}`,
      ];
      const send = (path: string) => run(["webhooks", "send", "--batch-file", path, "--allow-unknown-type"]);
      const sent = await send(file("exact", lines.join("\n") + "\n"));
      expect(sent.code, sent.stderr).toBe(0);
      expect((await run(["webhooks", "worker", "--once"])).code).toBe(0);
      expect(receiver.received).toHaveLength(datas.length);
      for (const r of receiver.received) expect(r.valid).toBe(true);
      const arrived = receiver.received.map((r) => /,"data":([^]*)}$/.exec(r.body)?.[1]);
      expect(arrived.sort()).toEqual([...datas].sort());

      const before = (await run(["webhooks", "deliveries", "list", "--json"])).stdout;
      // A good first line, then {"type":"exact.bad","data":"é"} in Latin-1: nothing of the file is sent.
      const latin1 = Buffer.from(`${lines[0]}\n{"type":"exact.bad","data":"\xe9"}`, "latin1");
      const bad = await send(file("latin1", latin1));
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("not valid UTF-8");
      const twice = await send(file("twice", `${lines[0]}\n{"type":"exact.batch","data":1,"data":2}\n`));
      expect(twice.code).toBe(2);
      expect(twice.stderr).toContain('line 2: "data" is given more than once');
      expect((await run(["webhooks", "deliveries", "list", "--json"])).stdout).toBe(before);
    } finally {
      await receiver.close();
      await db.dispose();
    }
  });
});
