import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pgDriver from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PG_BASE_URL, tempDir, tempPostgres, type TempDb } from "../helpers/databases.js";
import { startFakeProvider } from "../helpers/fake-provider.js";
import { startReceiver } from "../helpers/receiver.js";
import { intg } from "../helpers/spawn.js";

// The acceptance scenario: create, rotate and verify keys, store secrets, rotate the
// master key; then no plaintext key or secret may appear anywhere in the database's bytes.
async function scenario(env: Record<string, string>): Promise<string[]> {
  const plaintexts: string[] = [];
  const created = await intg(["keys", "create", "--name", "scenario", "--scopes", "read,write", "--json"], { env });
  expect(created.code, created.stderr).toBe(0);
  const first = JSON.parse(created.stdout);
  plaintexts.push(first.key);
  const rotated = await intg(["keys", "rotate", first.id, "--json"], { env });
  expect(rotated.code, rotated.stderr).toBe(0);
  plaintexts.push(JSON.parse(rotated.stdout).key);
  for (const key of plaintexts) expect((await intg(["keys", "verify"], { env, input: key })).code).toBe(0);
  for (const [name, type] of [
    ["stripe", "api_key"],
    ["github", "bearer_token"],
  ] as const) {
    const value = `${name}-secret-${randomBytes(12).toString("hex")}`;
    plaintexts.push(value);
    const set = await intg(["secrets", "set", name, "--type", type], { env, input: value });
    expect(set.code, set.stderr).toBe(0);
    expect((await intg(["secrets", "reveal", name], { env })).stdout.trim()).toBe(value);
  }
  // Webhook signing secrets: the current one and, during two rotations' graces, the previous and older ones.
  const endpoint = await intg(
    ["webhooks", "endpoints", "create", "--url", "http://127.0.0.1:9/hook", "--allow-private-network", "--json"],
    { env },
  );
  expect(endpoint.code, endpoint.stderr).toBe(0);
  const { id, secret } = JSON.parse(endpoint.stdout);
  const rotatedSecret = await intg(["webhooks", "endpoints", "rotate-secret", id, "--grace", "1h"], { env });
  expect(rotatedSecret.code, rotatedSecret.stderr).toBe(0);
  const againSecret = await intg(["webhooks", "endpoints", "rotate-secret", id, "--grace", "30m"], { env });
  expect(againSecret.code, againSecret.stderr).toBe(0);
  // The key bytes' base64 alone, too: a store that dropped the prefix would still leak it.
  for (const s of [secret, rotatedSecret.stdout.trim(), againSecret.stdout.trim()])
    plaintexts.push(s, s.slice("whsec_".length));
  return plaintexts;
}

/**
 * Issue 12 item 4: an endpoint's header value given in a --header-file, and a provider's API key
 * sent in a query parameter off the credential name list (`appid`). Returns the secrets, and every
 * output and file written on the way, none of which may hold them; the receivers still get them.
 */
async function credentialPaths(
  env: Record<string, string>,
  dir: string,
): Promise<{ plaintexts: string[]; outputs: string[] }> {
  const outputs: string[] = [];
  const run = async (args: string[], input?: string) => {
    const r = await intg(args, { env, input });
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  const ok = async (args: string[], input?: string) => {
    const r = await run(args, input);
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    return r;
  };
  const headerValue = `Bearer hdr-${randomBytes(12).toString("hex")}`;
  const stdinValue = `stdin-${randomBytes(12).toString("hex")}`;
  const appKey = `appid-${randomBytes(12).toString("hex")}`;
  const receiver = await startReceiver();
  const fake = await startFakeProvider({ accept: (r) => r.url.includes(`appid=${appKey}`) });
  try {
    const headerFile = join(dir, "headers.txt");
    writeFileSync(headerFile, `Authorization: ${headerValue}\nX-Team: billing\n`);
    const created = JSON.parse(
      (
        await ok([
          "webhooks",
          "endpoints",
          "create",
          "--url",
          receiver.url,
          "--allow-private-network",
          "--header-file",
          headerFile,
          "--json",
        ])
      ).stdout,
    );
    receiver.secrets = [created.secret];
    await ok(["webhooks", "send", "order.created", "--data", '{"n":1}', "--allow-unknown-type"]);
    await ok(["webhooks", "worker", "--once"]);
    await ok(["webhooks", "health", "--endpoint", created.id, "--ping", "--json"]);
    // The receiver gets the real value, from the worker and from the ping.
    expect(receiver.received.map((r) => r.headers.authorization)).toEqual([headerValue, headerValue]);
    expect(receiver.received[0]!.valid).toBe(true);
    expect(JSON.parse((await ok(["webhooks", "endpoints", "show", created.id, "--json"])).stdout).headers).toEqual({
      Authorization: "[redacted]",
      "X-Team": "[redacted]",
    });
    await ok(["webhooks", "endpoints", "list", "--json"]);
    const [delivery] = JSON.parse(
      (await ok(["webhooks", "deliveries", "list", "--endpoint", created.id, "--json"])).stdout,
    );
    const shown = JSON.parse((await ok(["webhooks", "deliveries", "show", delivery.id, "--json"])).stdout);
    expect(JSON.stringify(shown)).toContain("[redacted]");
    const exported = join(dir, "export.ndjson");
    await ok(["webhooks", "export", "--out", exported]);
    outputs.push(readFileSync(exported, "utf8"));
    // Only when asked for explicitly: a positive control that the value was there to leak.
    const withHeaders = join(dir, "export-with.ndjson");
    await ok(["webhooks", "export", "--out", withHeaders, "--with-endpoint-headers"]);
    expect(readFileSync(withHeaders, "utf8")).toContain(headerValue);

    // Through stdin on update; the new value replaces the file's.
    await ok(
      ["webhooks", "endpoints", "update", created.id, "--headers-stdin", "--json"],
      `X-Api-Key: ${stdinValue}\n`,
    );
    await ok(["webhooks", "send", "order.created", "--data", '{"n":2}', "--allow-unknown-type"]);
    await ok(["webhooks", "worker", "--once"]);
    expect(receiver.received.at(-1)!.headers["x-api-key"]).toBe(stdinValue);

    // Bad values: exit 2, nothing written (no endpoint, and the value nowhere).
    const before = JSON.parse((await ok(["webhooks", "endpoints", "list", "--json"])).stdout).length;
    for (const bad of [
      `X-Bad: ctl-${randomBytes(4).toString("hex")}\u0001x`,
      `X-Bad: wide-${randomBytes(4).toString("hex")}\u20ac`,
    ]) {
      writeFileSync(headerFile, bad + "\n");
      const r = await run([
        "webhooks",
        "endpoints",
        "create",
        "--url",
        receiver.url,
        "--allow-private-network",
        "--header-file",
        headerFile,
      ]);
      expect(r.code, r.stderr).toBe(2);
      expect((await run(["webhooks", "endpoints", "update", created.id, "--header-file", "-"], bad)).code).toBe(2);
    }
    expect(JSON.parse((await ok(["webhooks", "endpoints", "list", "--json"])).stdout).length).toBe(before);

    // A provider whose API key travels in the query as `appid`.
    await ok([
      "providers",
      "create",
      "--slug",
      "weather",
      "--name",
      "Weather",
      "--category",
      "other",
      "--base-url",
      fake.url,
      "--auth",
      "api_key",
      "--auth-placement",
      "query",
      "--auth-name",
      "appid",
      "--allow-private-network",
    ]);
    await ok([
      "providers",
      "create",
      "--slug",
      "gone",
      "--name",
      "Gone",
      "--category",
      "other",
      "--base-url",
      "http://127.0.0.1:9",
      "--auth",
      "api_key",
      "--auth-placement",
      "query",
      "--auth-name",
      "appid",
      "--allow-private-network",
    ]);
    const conn = JSON.parse(
      (
        await ok(
          ["connections", "create", "--provider", "weather", "--env", "production", "--name", "w", "--json"],
          appKey,
        )
      ).stdout,
    );
    // The fake provider echoes the path it was asked for in its body, key included: that body is
    // the provider's answer, printed as it came. Everything else of the output is checked.
    const asked = await intg(["connections", "request", conn.id, "GET", "/weather?q=oslo", "--json"], { env });
    expect(asked.code, asked.stderr).toBe(0);
    const answer = JSON.parse(asked.stdout);
    expect(fake.requests.at(-1)!.url).toContain(`appid=${appKey}`); // the provider got it
    expect(answer.body.path).toContain(`appid=${appKey}`);
    expect(answer.url).toContain("appid=REDACTED");
    outputs.push(JSON.stringify({ ...answer, body: null }), asked.stderr);
    const human = await intg(["connections", "request", conn.id, "GET", "/weather?q=oslo"], { env });
    expect(human.stderr).toContain("appid=REDACTED");
    outputs.push(human.stderr);
    const down = JSON.parse(
      (
        await ok(
          ["connections", "create", "--provider", "gone", "--env", "production", "--name", "g", "--json"],
          appKey,
        )
      ).stdout,
    );
    for (const json of [[], ["--json"]]) {
      const failed = await run(["connections", "request", down.id, "GET", "/weather", "--timeout", "2s", ...json]);
      expect(failed.code).not.toBe(0);
      expect(failed.stderr).toContain("appid=REDACTED"); // the message names the URL, not the key
    }
    return { plaintexts: [headerValue, headerValue.slice("Bearer ".length), stdinValue, appKey], outputs };
  } finally {
    await Promise.all([receiver.close(), fake.close()]);
  }
}

const checkOutputs = (outputs: string[], plaintexts: string[]) => {
  for (const p of plaintexts)
    expect(
      outputs.some((o) => o.includes(p)),
      `plaintext ${p.slice(0, 10)}… in an output or export`,
    ).toBe(false);
};

describe("no plaintext at rest", () => {
  const home = tempDir();
  afterAll(() => home.dispose());

  it("on SQLite: not in the database file, its WAL, or the key file's neighbours", async () => {
    const env = { HOME: home.path, XDG_DATA_HOME: join(home.path, "data") };
    const plaintexts = await scenario(env);
    const paths = await credentialPaths(env, home.path);
    checkOutputs(paths.outputs, paths.plaintexts);
    plaintexts.push(...paths.plaintexts);
    const rotate = await intg(["secrets", "rotate-master-key", "--yes"], { env });
    expect(rotate.code, rotate.stderr).toBe(0);
    // Every sealed column moved, the endpoint's older signing secret too.
    const status = await intg(["secrets", "status", "--json"], { env });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ notUnderCurrent: 0, unreadable: 0 });
    const base = join(home.path, "data", "intg", "intg.db");
    const bytes = [base, `${base}-wal`, `${base}-shm`]
      .filter(existsSync)
      .map((f) => readFileSync(f).toString("latin1"))
      .join("");
    expect(bytes.length).toBeGreaterThan(0);
    for (const p of plaintexts) expect(bytes.includes(p), "plaintext found in the SQLite files").toBe(false);
    // The scenario's secrets are really in there, encrypted: the table is not empty.
    expect(bytes).toContain("v1.");
  });
});

describe.skipIf(!PG_BASE_URL)("no plaintext at rest on PostgreSQL", () => {
  let pg: TempDb;
  afterAll(async () => pg?.dispose());

  it("not in a pg_dump of the whole database", async () => {
    pg = await tempPostgres();
    const env = { INTG_DATABASE_URL: pg.url, INTG_MASTER_KEY: randomBytes(32).toString("base64") };
    expect((await intg(["db", "migrate"], { env })).code).toBe(0);
    const plaintexts = await scenario(env);
    const dir = tempDir();
    try {
      const paths = await credentialPaths(env, dir.path);
      checkOutputs(paths.outputs, paths.plaintexts);
      plaintexts.push(...paths.plaintexts);
    } finally {
      dir.dispose();
    }
    const dump = execFileSync("pg_dump", ["--no-owner", pg.url], { encoding: "utf8", maxBuffer: 64 << 20 });
    expect(dump).toContain("ApiKey");
    for (const p of plaintexts) expect(dump.includes(p), "plaintext found in pg_dump").toBe(false);
    // And SELECT * on every table, as the rows are read back (JSON columns decoded, text as text).
    const client = new pgDriver.Client({ connectionString: pg.url });
    await client.connect();
    try {
      const tables = (
        await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`)
      ).rows.map((r: { tablename: string }) => r.tablename);
      expect(tables).toContain("WebhookEndpoint");
      const rows = JSON.stringify(
        await Promise.all(tables.map(async (t: string) => (await client.query(`SELECT * FROM "${t}"`)).rows)),
      );
      expect(rows).toContain("[redacted]");
      for (const p of plaintexts) expect(rows.includes(p), "plaintext found in a table").toBe(false);
    } finally {
      await client.end();
    }
  });
});
