import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROVIDERS } from "../helpers/databases.js";
import { seededBin } from "../helpers/ref-fixtures.js";
import { intg } from "../helpers/spawn.js";

// A wrong `--json` field is a usage error found before the command runs: exit 2 and nothing
// written. Found only when printing, it came after the write: `keys create --json nosuch` made a
// key, printed nothing, and its secret, shown once, was lost.

describe.each(PROVIDERS)("--json <fields> through bin/intg on %s", (provider) => {
  const seeded = seededBin(provider);
  const masterKey = randomBytes(32).toString("base64");
  const run = (args: string[], input?: string) =>
    intg(args, { env: { ...seeded.env(), INTG_MASTER_KEY: masterKey, INTG_ALLOW_PRIVATE_NETWORKS: "1" }, input });
  const list = async (args: string[]) => {
    const r = await run([...args, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as unknown[];
  };
  const refused = async (args: string[], input?: string) => {
    const r = await run([...args, "--json", "id,nosuch"], input);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe("");
    const { error } = JSON.parse(r.stderr) as { error: { code: string; message: string; hint: string } };
    expect(error).toMatchObject({ code: "INVALID_JSON_FIELD", message: 'Unknown JSON field: "nosuch".' });
    return error.hint;
  };
  beforeAll(seeded.setup);
  afterAll(seeded.dispose);

  it("keys create: refused before the key exists; the hint lists the fields, the key among them", async () => {
    const hint = await refused(["keys", "create", "--name", "never"]);
    expect(hint).toMatch(/^Available fields:\n/);
    expect(hint.split("\n").map((l) => l.trim())).toEqual(expect.arrayContaining(["id", "key", "name"]));
    expect(await list(["keys", "list"])).toEqual([]);
    const made = await run(["keys", "create", "--name", "ci", "--json", "id,key"]);
    expect(made.code, made.stderr).toBe(0);
    expect(Object.keys(JSON.parse(made.stdout))).toEqual(["id", "key"]);
    expect(await list(["keys", "list"])).toHaveLength(1);
  });

  it("keys revoke and rotate: refused before the key changes", async () => {
    const [key] = (await list(["keys", "list"])) as { id: string }[];
    await refused(["keys", "revoke", key!.id, "--yes"]);
    await refused(["keys", "rotate", key!.id]);
    expect(await list(["keys", "list"])).toEqual([expect.objectContaining({ id: key!.id, status: "ACTIVE" })]);
  });

  it("webhooks send: refused before the event is recorded or a delivery queued", async () => {
    const endpoint = await run(["webhooks", "endpoints", "create", "--url", "http://127.0.0.1:9/hooks", "--json"]);
    expect(endpoint.code, endpoint.stderr).toBe(0);
    const send = ["webhooks", "send", "invoice.paid", "--data", '{"amount":1}', "--allow-unknown-type"];
    await refused(send);
    expect(await list(["webhooks", "deliveries", "list"])).toEqual([]);
    const sent = await run([...send, "--json", "id,type"]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toEqual({ id: expect.stringMatching(/^evt_/), type: "invoice.paid" });
    expect(await list(["webhooks", "deliveries", "list"])).toHaveLength(1);
  });

  it("connections create: refused before the connection or its credential is written", async () => {
    const before = await list(["connections", "list"]);
    const args = ["connections", "create", "--provider", "hubspot", "--environment", "staging", "--name", "x"];
    await refused(args, "secret-value\n");
    expect(await list(["connections", "list"])).toEqual(before);
    expect(await list(["secrets", "list"])).toEqual([]);
  });

  it("refs link: refused before the reference is made", async () => {
    await refused(["refs", "link", "--entity", "user:1", "--connection", "conn_hubspot", "--external", "contact:1"]);
    expect(await list(["refs", "list"])).toEqual([]);
  });

  it("output with no fields to select refuses a field list, before it writes anything", async () => {
    const r = await run(["refs", "export", "--out", `${seeded.home}/refs.ndjson`, "--json", "id"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr).error).toMatchObject({
      code: "INVALID_JSON_FIELD",
      message: "--json: this command's output has no fields to select.",
    });
  });
});
