import { afterAll, describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { startReceiver } from "../helpers/receiver.js";
import { intg } from "../helpers/spawn.js";

// Transformations and chat channels through bin/intg: set on an endpoint, previewed with
// `webhooks transform`, refused with exit 2 (and nothing written) when the expression is bad.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
afterAll(() => home.dispose());

describe.each(PROVIDERS)("webhook transformations through bin/intg on %s", (provider) => {
  it("previews an endpoint's transformation, formats chat channels, and refuses a bad expression", async () => {
    const db = await tempDb(provider);
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ALLOW_PRIVATE_NETWORKS: "1" };
    const run = (...args: string[]) => intg(args, { env });
    const json = async (...args: string[]) => {
      const r = await run(...args, "--json");
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return JSON.parse(r.stdout);
    };
    try {
      expect((await run("db", "migrate")).code).toBe(0);
      const http = await json(
        "webhooks",
        "endpoints",
        "create",
        "--url",
        "http://127.0.0.1:9/a",
        "--transform",
        '{"what": type, "cents": data.amount * 100}',
      );
      const slack = await json(
        "webhooks",
        "endpoints",
        "create",
        "--url",
        "http://127.0.0.1:9/b",
        "--channel",
        "slack",
      );
      expect(slack.transformation).toEqual({ kind: "chat_message", format: "SLACK" });
      const sent = await json("webhooks", "send", "invoice.paid", "--data", '{"amount": 42}', "--allow-unknown-type");
      const preview = await json("webhooks", "transform", "--endpoint", http.id, "--event", sent.id);
      expect(preview.before).toMatchObject({ type: "invoice.paid", data: { amount: 42 } });
      expect(preview.after).toEqual({ what: "invoice.paid", cents: 4200 });
      const human = await run("webhooks", "transform", "--endpoint", slack.id, "--event", sent.id);
      expect(human.stdout).toContain("transformation: slack message");
      expect(human.stdout).toContain('"text": "*invoice.paid* at');

      const before = (await run("webhooks", "endpoints", "list", "--json")).stdout;
      for (const bad of [
        ["--transform", '{"a": '],
        ["--channel", "slack", "--transform", "data"],
        ["--transform", "x", "--transform-file", "f.jsonata"],
        ["--transform-file", "/nonexistent/f.jsonata"],
      ]) {
        const r = await run("webhooks", "endpoints", "create", "--url", "http://127.0.0.1:9/c", ...bad);
        expect(r.code, bad.join(" ")).toBe(2);
      }
      expect((await run("webhooks", "endpoints", "list", "--json")).stdout).toBe(before); // nothing written
      expect((await run("webhooks", "endpoints", "update", http.id, "--transform", "$error('x')")).code).toBe(0);
      expect((await run("webhooks", "transform", "--endpoint", http.id, "--event", sent.id)).code).toBe(2);
      const cleared = await json("webhooks", "endpoints", "update", http.id, "--transform", "none");
      expect(cleared.transformation).toBeNull();
    } finally {
      await db.dispose();
    }
  }, 60_000);

  it("delivers to slack and discord channels as chat messages, and through a JSONata transformation, via the worker", async () => {
    const db = await tempDb(provider);
    const [slack, discord, shaped] = [await startReceiver(), await startReceiver(), await startReceiver()];
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ALLOW_PRIVATE_NETWORKS: "1" };
    const run = (...args: string[]) => intg(args, { env });
    try {
      expect((await run("db", "migrate")).code).toBe(0);
      for (const [receiver, flags] of [
        [slack, ["--channel", "slack"]],
        [discord, ["--channel", "discord"]],
        [shaped, ["--transform", '{"id": $$.type & ":" & data.id}']],
      ] as const) {
        const created = await run("webhooks", "endpoints", "create", "--url", receiver.url, ...flags, "--json");
        expect(created.code, created.stderr).toBe(0);
        receiver.secrets = [JSON.parse(created.stdout).secret];
      }
      expect(
        (await run("webhooks", "send", "invoice.paid", "--data", '{"id": "in_7"}', "--allow-unknown-type")).code,
      ).toBe(0);
      expect((await run("webhooks", "worker", "--once")).stderr).toContain("3 delivered");
      expect(JSON.parse(slack.received[0]!.body).text).toMatch(
        /^\*invoice\.paid\* at .*\n```\n\{\n {2}"id": "in_7"\n\}\n```$/,
      );
      expect(JSON.parse(discord.received[0]!.body).content).toMatch(/^\*\*invoice\.paid\*\*/);
      expect(JSON.parse(shaped.received[0]!.body)).toEqual({ id: "invoice.paid:in_7" });
      expect([slack, discord, shaped].every((r) => r.received[0]!.valid)).toBe(true); // signed over the bytes sent
    } finally {
      await Promise.all([slack, discord, shaped].map((r) => r.close()));
      await db.dispose();
    }
  }, 60_000);
});
