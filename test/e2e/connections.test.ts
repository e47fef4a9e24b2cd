import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PG_BASE_URL, tempDir, tempPostgres, type TempDb } from "../helpers/databases.js";
import { startFakeProvider, type FakeProvider } from "../helpers/fake-provider.js";
import { intg } from "../helpers/spawn.js";

// The CI gate end to end, through bin/intg against fake providers that are real HTTP servers; on
// SQLite and on PostgreSQL. Afterwards no credential may appear in the database's bytes, a dump,
// any --json output or any error message.
const secret = (label: string) => `${label}-${randomBytes(12).toString("hex")}`;

async function scenario(
  env: Record<string, string>,
  dir: string,
  fakes: { healthy: FakeProvider; refusing: FakeProvider; hanging: FakeProvider },
  token: string,
): Promise<string[]> {
  const outputs: string[] = [];
  const run = async (args: string[], input?: string, extraEnv: Record<string, string> = {}) => {
    const r = await intg(args, { env: { ...env, ...extraEnv }, input });
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  const json = async (args: string[], input?: string, extraEnv?: Record<string, string>) => {
    const r = await run([...args, "--json"], input, extraEnv);
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout);
  };
  for (const [slug, fake] of Object.entries(fakes)) {
    await json([
      "providers",
      "create",
      "--slug",
      slug,
      "--name",
      slug,
      "--category",
      "other",
      "--base-url",
      fake.url,
      "--auth",
      "bearer_token",
      "--health-path",
      "/health",
      "--allow-private-network",
    ]);
  }
  const ok = await json(
    [
      "connections",
      "create",
      "--provider",
      "healthy",
      "--env",
      "production",
      "--name",
      "main",
      "--config",
      "team=billing",
    ],
    token,
  );
  const viaEnv = await json(
    [
      "connections",
      "create",
      "--provider",
      "healthy",
      "--env",
      "staging",
      "--name",
      "env",
      "--credential-env",
      "THE_TOKEN",
    ],
    undefined,
    { THE_TOKEN: token },
  );
  expect(viaEnv.credential.tokenType).toBe("BEARER_TOKEN");
  const file = join(dir, "token.txt");
  writeFileSync(file, `${token}\n`);
  await json([
    "connections",
    "create",
    "--provider",
    "healthy",
    "--env",
    "sandbox",
    "--name",
    "file",
    "--credential-file",
    file,
  ]);
  expect((await json(["connections", "show", ok.id])).credential.name).toBe(`connection/${ok.id}`);

  const one = await run(["connections", "check", ok.id, "--json"]);
  expect(one.code, one.stderr).toBe(0);
  expect(JSON.parse(one.stdout)).toMatchObject([{ connectionId: ok.id, status: "HEALTHY", httpStatus: 200 }]);
  expect((await run(["connections", "check", "--env", "production,staging,sandbox"])).code).toBe(0);
  expect(fakes.healthy.requests.every((r) => r.headers.authorization === `Bearer ${token}`)).toBe(true);

  const hung = await json(
    ["connections", "create", "--provider", "hanging", "--env", "production", "--name", "slow"],
    token,
  );
  const t0 = Date.now();
  const three = await run(["connections", "check", "--all", "--timeout", "500ms", "--json"]);
  expect(three.code, three.stderr).toBe(3);
  expect(Date.now() - t0).toBeLessThan(4000);
  expect(JSON.parse(three.stdout).find((c: { connectionId: string }) => c.connectionId === hung.id)).toMatchObject({
    status: "UNHEALTHY",
    errorKind: "timeout",
  });
  expect(JSON.parse(three.stderr)).toMatchObject({ error: { code: "CHECK_FAILED" } });

  const refused = await json(
    ["connections", "create", "--provider", "refusing", "--env", "production", "--name", "bad"],
    token,
  );
  const four = await run(["connections", "check", "--all", "--timeout", "500ms"]);
  expect(four.code, four.stderr).toBe(4);
  expect(four.stdout).toContain("credentials_invalid");
  expect((await json(["connections", "show", refused.id])).status).toBe("CREDENTIALS_INVALID");
  expect(
    (await json(["connections", "checks", refused.id, "--since", "1h"])).map((c: { errorKind: string }) => c.errorKind),
  ).toEqual(["auth"]);

  expect(
    (await json(["connections", "events", refused.id])).map((e: { kind: string; status: string }) => [
      e.kind,
      e.status,
    ]),
  ).toEqual([["status_changed", "CREDENTIALS_INVALID"]]);
  const analytics = await json(["connections", "analytics", ok.id, "--since", "1h"]);
  expect(analytics).toMatchObject([{ connectionId: ok.id, providerSlug: "healthy", healthChecks: 4, uptime: 1 }]);
  const request = await json([
    "connections",
    "request",
    ok.id,
    "POST",
    "/things",
    "--data",
    '{"n":1}',
    "--header",
    "X-Trace: t1",
  ]);
  expect(request).toMatchObject({ status: 200, body: { method: "POST", path: "/things", echo: '{"n":1}' } });
  expect(fakes.healthy.requests.at(-1)!.headers["x-trace"]).toBe("t1");
  expect((await json(["connections", "analytics", ok.id, "--since", "1h"]))[0]).toMatchObject({
    requests: 1,
    errors: 0,
    errorRate: 0,
  });
  const newToken = secret("rotated");
  await json(["connections", "set-credentials", ok.id], newToken);
  expect((await json(["connections", "disable", hung.id])).status).toBe("DISABLED");
  expect(
    (await json(["connections", "update", ok.id, "--name", "primary", "--rate-limit", "10/s"])).rateLimitPerMinute,
  ).toBe(600);
  expect((await run(["connections", "delete", refused.id])).code).toBe(2); // needs --yes
  expect((await run(["connections", "delete", refused.id, "--yes"])).code).toBe(0);
  // Named, a disabled connection fails the gate (exit 3, named) though the others are checked and healthy;
  // --all still skips it and passes.
  const checksBefore = (await json(["connections", "checks", ok.id])).length;
  const hungBefore = (await json(["connections", "checks", hung.id])).length;
  const named = await run(["connections", "check", ok.id, hung.id, "--json"]);
  expect(named.code, named.stderr).toBe(3);
  expect(JSON.parse(named.stdout)).toMatchObject([{ connectionId: ok.id, status: "HEALTHY" }]);
  expect(named.stderr).toContain(`Skipped 1 connection(s): ${hung.id} (disabled).`);
  expect(JSON.parse(named.stderr.trim().split("\n").at(-1)!)).toMatchObject({
    error: { code: "CHECK_SKIPPED", message: expect.stringContaining(`${hung.id} (disabled)`) },
  });
  expect((await json(["connections", "checks", ok.id])).length).toBe(checksBefore + 1);
  expect((await json(["connections", "checks", hung.id])).length).toBe(hungBefore); // nothing recorded for it
  const plain = await run(["connections", "check", hung.id]);
  expect(plain.code).toBe(3);
  expect(plain.stderr).toMatch(new RegExp(`1 named connection\\(s\\) were not checked: ${hung.id} \\(disabled\\)`));
  const all = await run(["connections", "check", "--all"]);
  expect(all.code, all.stderr).toBe(0);
  expect(all.stdout + all.stderr).toContain(`Skipped 1 connection(s): ${hung.id} (disabled).`);
  return [
    ...outputs,
    ...(await Promise.all([json(["connections", "list"]), json(["audit", "list"])])).map((o) => JSON.stringify(o)),
    newToken,
  ];
}

async function withFakes<T>(
  fn: (fakes: { healthy: FakeProvider; refusing: FakeProvider; hanging: FakeProvider }, token: string) => Promise<T>,
): Promise<T> {
  const token = secret("tok");
  const fakes = {
    healthy: await startFakeProvider({ accept: (r) => String(r.headers.authorization).startsWith("Bearer ") }),
    refusing: await startFakeProvider({ behaviour: "unauthorized" }),
    hanging: await startFakeProvider({ behaviour: "hang" }),
  };
  try {
    return await fn(fakes, token);
  } finally {
    await Promise.all(Object.values(fakes).map((f) => f.close()));
  }
}

describe("intg connections through bin/intg", () => {
  const home = tempDir();
  const env = { HOME: home.path, XDG_DATA_HOME: join(home.path, "data"), INTG_ACTOR: "e2e" };
  afterAll(() => home.dispose());

  it("on SQLite: create, check (0, 3, 4), history, update, delete; no credential in the files or any output", async () => {
    await withFakes(async (fakes, token) => {
      const outputs = await scenario(env, home.path, fakes, token);
      const rotated = outputs.pop()!;
      const base = join(home.path, "data", "intg", "intg.db");
      const bytes = [base, `${base}-wal`]
        .filter(existsSync)
        .map((f) => readFileSync(f).toString("latin1"))
        .join("");
      expect(bytes).toContain("v1.");
      for (const s of [token, rotated]) {
        expect(bytes.includes(s), "credential in the SQLite files").toBe(false);
        expect(outputs.join("\n").includes(s), "credential in an output").toBe(false);
      }
    });
  });

  it("exits 2 on bad input and writes nothing; validate reports every problem", async () => {
    const before = (await intg(["connections", "list", "--json"], { env })).stdout;
    const leaked = secret("leak");
    const bad: [string[], RegExp][] = [
      [["connections", "create", "--provider", "healthy", "--env", "prod", "--name", "x"], /--env/],
      [
        ["connections", "create", "--provider", "healthy", "--env", "staging", "--name", "bad name"],
        /Invalid connection name/,
      ],
      [
        ["connections", "create", "--provider", "healthy", "--env", "staging", "--name", "x", "--rate-limit", "fast"],
        /not a rate/,
      ],
      [
        [
          "connections",
          "create",
          "--provider",
          "healthy",
          "--env",
          "staging",
          "--name",
          "x",
          "--credential-env",
          "UNSET_VAR",
        ],
        /UNSET_VAR is not set/,
      ],
      [["connections", "check"], /Say which connections/],
      [["connections", "check", "--all", "--timeout", "soon"], /not a duration/],
    ];
    for (const [args, message] of bad) {
      const r = await intg(args, { env, input: leaked });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toContain(leaked);
    }
    expect((await intg(["connections", "show", "conn_nope"], { env })).code).toBe(5);
    const config = join(home.path, "conns.json");
    writeFileSync(
      config,
      JSON.stringify({
        connections: [
          { provider: "healthy", environment: "qa", name: "a" },
          { provider: "ghost", environment: "staging", name: "b", credential: { fromEnv: "B" } },
        ],
      }),
    );
    const invalid = await intg(["connections", "validate", config, "--json"], { env });
    expect(invalid.code).toBe(2);
    expect(JSON.parse(invalid.stdout)).toEqual({
      valid: false,
      issues: [
        { path: "connections[0].environment", message: expect.any(String) },
        { path: "connections[1].provider", message: 'there is no provider "ghost"' },
      ],
    });
    writeFileSync(
      config,
      JSON.stringify([{ provider: "healthy", environment: "staging", name: "a", credential: { fromEnv: "A" } }]),
    );
    expect((await intg(["connections", "validate", config], { env })).code).toBe(0);
    expect((await intg(["connections", "list", "--json"], { env })).stdout).toBe(before);
  });

  it("imports a validated connections file in one transaction, credentials from variables and files", async () => {
    const secretA = secret("a");
    const secretB = secret("b");
    mkdirSync(join(home.path, "cfg"), { recursive: true });
    writeFileSync(join(home.path, "cfg", "b.token"), `${secretB}\n`);
    const file = join(home.path, "cfg", "import.json");
    writeFileSync(
      file,
      JSON.stringify({
        connections: [
          {
            provider: "healthy",
            environment: "development",
            name: "imp-a",
            config: { team: "x" },
            credential: { fromEnv: "A_TOKEN" },
          },
          {
            provider: "healthy",
            environment: "development",
            name: "imp-b",
            rateLimitPerMinute: 60,
            credential: { fromFile: "b.token" },
          },
        ],
      }),
    );
    const count = async () => JSON.parse((await intg(["connections", "list", "--json"], { env })).stdout).length;
    const before = await count();
    const unset = await intg(["connections", "import", file], { env });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/connections\[0\]\.credential: the environment variable A_TOKEN is not set/);
    const withVar = { ...env, A_TOKEN: secretA };
    const dry = await intg(["connections", "import", file, "--dry-run", "--json"], { env: withVar });
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, created: [{ name: "imp-a" }, { name: "imp-b" }] });
    expect(await count()).toBe(before);
    const done = await intg(["connections", "import", file, "--json"], { env: withVar });
    expect(done.code, done.stderr).toBe(0);
    expect(
      JSON.parse(done.stdout).created.map((c: { config: unknown; rateLimitPerMinute: number }) => [
        c.config,
        c.rateLimitPerMinute,
      ]),
    ).toEqual([
      [{ team: "x" }, null],
      [null, 60],
    ]);
    expect(await count()).toBe(before + 2);
    const again = await intg(["connections", "import", file], { env: withVar });
    expect(again.code).toBe(6);
    expect(again.stderr).toMatch(/connections\[0\]: A development connection "imp-a"/);
    expect(await count()).toBe(before + 2);
    for (const out of [dry.stdout, done.stdout, again.stderr, unset.stderr])
      for (const s of [secretA, secretB]) expect(out).not.toContain(s);
  });
});

describe.skipIf(!PG_BASE_URL)("intg connections on PostgreSQL", () => {
  let pg: TempDb;
  const home = tempDir();
  beforeAll(async () => {
    pg = await tempPostgres();
  });
  afterAll(async () => {
    await pg?.dispose();
    home.dispose();
  });

  it("runs the same scenario; no credential in a pg_dump or any output", async () => {
    const env = {
      HOME: home.path,
      INTG_DATABASE_URL: pg.url,
      INTG_MASTER_KEY: randomBytes(32).toString("base64"),
      INTG_ACTOR: "e2e",
    };
    expect((await intg(["db", "migrate"], { env })).code).toBe(0);
    await withFakes(async (fakes, token) => {
      const outputs = await scenario(env, home.path, fakes, token);
      const rotated = outputs.pop()!;
      const dump = execFileSync("pg_dump", ["--no-owner", pg.url], { encoding: "utf8", maxBuffer: 64 << 20 });
      expect(dump).toContain("IntegrationConnection");
      for (const s of [token, rotated]) {
        expect(dump.includes(s), "credential in pg_dump").toBe(false);
        expect(outputs.join("\n").includes(s), "credential in an output").toBe(false);
      }
    });
  });
});
