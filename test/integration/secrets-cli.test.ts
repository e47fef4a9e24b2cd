import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough as PassThroughStream, type PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPendingMigrations } from "../../src/db/migrations.js";
import { parseDbUrl } from "../../src/db/url.js";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { createTestIO, runCli, testDeps } from "../helpers/io.js";
import { PROVIDERS, tempDb, tempDir, type TempDb } from "../helpers/databases.js";

// The commands in-process, on both providers: flags to services to output and exit codes.
describe.each(PROVIDERS)("intg secrets commands on %s", (provider) => {
  const [K1, K2] = [generateMasterKey(), generateMasterKey()];
  let temp: TempDb;
  const files = tempDir();
  let env: Record<string, string>;

  /** Runs `intg <args> --db <temp>`, with `stdin` piped in and the TTY flags given. */
  function cli(
    args: string[],
    options: { stdin?: string; env?: Record<string, string>; tty?: Parameters<typeof createTestIO>[0] } = {},
  ) {
    const io = createTestIO(options.tty);
    if (options.stdin !== undefined) (io.stdin as PassThrough).end(options.stdin);
    return runCli([...args, "--db", temp.url], testDeps({ io, env: options.env ?? env }));
  }

  beforeAll(async () => {
    temp = await tempDb(provider);
    await applyPendingMigrations(parseDbUrl(temp.url, "--db", process.cwd()));
    env = { HOME: "/nonexistent-home", INTG_MASTER_KEY: K1.bytes.toString("base64"), CI_TOKEN: "from-the-environment" };
  });
  afterAll(async () => {
    await temp?.dispose();
    files.dispose();
  });

  it("sets from stdin (one trailing newline dropped), a file or a variable, and prints only the view", async () => {
    const piped = await cli(["secrets", "set", "piped", "--type", "bearer-token", "--json"], { stdin: "tok en\n" });
    expect(piped.code, piped.stderr).toBe(0);
    expect(JSON.parse(piped.stdout)).toMatchObject({ name: "piped", tokenType: "BEARER_TOKEN", masterKeyId: K1.id });
    expect(piped.stdout).not.toContain("tok en");
    // --json prints the JSON alone: the "✓" line is for people (issue 15).
    expect(piped.stderr).not.toContain("Created secret");

    const path = join(files.path, "secret.txt");
    writeFileSync(path, "line1\nline2\n\n");
    const filed = await cli(["secrets", "set", "filed", "--type", "API_KEY", "--from-file", path]);
    expect(filed.code).toBe(0);
    expect(filed.stderr).toContain('Created secret "filed"');
    expect(
      (await cli(["secrets", "set", "env", "--type", "Hmac_Secret", "--from-env", "CI_TOKEN", "--expires-in", "90d"]))
        .code,
    ).toBe(0);

    expect((await cli(["secrets", "reveal", "piped"])).stdout).toBe("tok en\n");
    expect((await cli(["secrets", "reveal", "filed"])).stdout).toBe("line1\nline2\n\n");
    const revealed = JSON.parse((await cli(["secrets", "reveal", "env", "--json"])).stdout);
    expect(revealed).toMatchObject({
      name: "env",
      value: "from-the-environment",
      tokenType: "HMAC_SECRET",
      expiresAt: "2026-04-15T12:00:00.000Z",
    });

    const list = await cli(["secrets", "list", "--json"]);
    expect(JSON.parse(list.stdout).map((s: { name: string }) => s.name)).toEqual(["env", "filed", "piped"]);
    for (const value of ["tok en", "line1", "from-the-environment"]) expect(list.stdout).not.toContain(value);
    const table = await cli(["secrets", "list", "--type", "api_key"]);
    expect(table.stdout).toMatch(/^filed\t/m);
    expect(table.stdout).not.toContain("piped");
    expect((await cli(["secrets", "show", "filed"])).stdout).toMatch(/^master key:\t[0-9a-f]{16}/m);
  });

  it("refuses bad input with exit 2 before opening the database", async () => {
    for (const [args, stdin, message] of [
      [
        ["--type", "bogus"],
        "value",
        'Unknown token type "bogus"; nothing was written.\nUse one of: API_KEY, BEARER_TOKEN, BASIC_AUTH, OAUTH2_CLIENT_SECRET, OAUTH2_ACCESS_TOKEN, OAUTH2_REFRESH_TOKEN, HMAC_SECRET, WEBHOOK_SIGNING_SECRET.',
      ],
      [["--type", "api_key"], "\n", "The secret value is empty; nothing was written."],
      [["--type", "api_key", "--from-env", "UNSET_VAR"], undefined, "The environment variable UNSET_VAR is not set"],
      [["--type", "api_key", "--from-file", "/nonexistent/file"], undefined, "Cannot read /nonexistent/file: ENOENT"],
      [["--type", "api_key", "--expires-in", "soon"], "v", '"soon" is not a duration'],
    ] as const) {
      const r = await cli(["secrets", "set", "bad", ...args], { stdin });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.deps.opened).toEqual([]);
    }
    // A value is never a flag.
    expect((await cli(["secrets", "set", "bad", "--type", "api_key", "--value", "x"])).code).toBe(2);
    // On a terminal with nothing piped and no prompt possible, it says how to give the value.
    const tty = await cli(["secrets", "set", "bad", "--type", "api_key"], { tty: { stdinIsTTY: true } });
    expect([tty.code, tty.stderr.split("\n")[0]]).toEqual([
      2,
      "intg: No secret value: pipe it on stdin, or use --from-file <path> or --from-env <VAR>.",
    ]);
    expect(
      JSON.parse((await cli(["secrets", "list", "--json"])).stdout).map((s: { name: string }) => s.name),
    ).not.toContain("bad");
  });

  it("asks for the value, hidden, on a terminal", async () => {
    const io = createTestIO({ stdinIsTTY: true, stdoutIsTTY: true });
    const stdin = new PassThroughStream();
    const stderr = new PassThroughStream();
    // The prompt pipes into its output and so ends it when done; pipe() never ends the real
    // process.stderr, which this stands for, and the command writes to it afterwards.
    stderr.end = (() => stderr) as typeof stderr.end;
    let shown = "";
    stderr.on("data", (d) => (shown += d));
    const run = runCli(
      ["secrets", "set", "typed", "--type", "api_key", "--db", temp.url],
      testDeps({ io: { ...io, stdin, stderr }, env }),
    );
    setTimeout(() => stdin.write("typed-secret\n"), 100);
    expect((await run).code).toBe(0);
    expect(shown).toContain("Value (hidden):");
    expect(shown).not.toContain("typed-secret");
    expect((await cli(["secrets", "reveal", "typed"])).stdout).toBe("typed-secret\n");
    expect((await cli(["secrets", "delete", "typed", "--yes"])).code).toBe(0);
  });

  it("deletes only with --yes when not interactive, and offers --dry-run", async () => {
    const refused = await cli(["secrets", "delete", "env"]);
    expect([refused.code, refused.stderr.split("\n")[0]]).toEqual([
      2,
      "intg: --yes required when not running interactively.",
    ]);
    const dry = await cli(["secrets", "delete", "env", "--dry-run", "--json"]);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, deleted: false, secret: { name: "env" } });
    expect((await cli(["secrets", "show", "env"])).code).toBe(0);
    expect((await cli(["secrets", "delete", "env", "--yes"])).code).toBe(0);
    expect((await cli(["secrets", "show", "env"])).code).toBe(5);
  });

  it("status and rotate-master-key: exit codes follow the rotation, the bar draws only on a TTY", async () => {
    expect((await cli(["secrets", "status"])).code).toBe(0);
    const rotating = {
      ...env,
      INTG_MASTER_KEY: K2.bytes.toString("base64"),
      INTG_PREVIOUS_MASTER_KEYS: K1.bytes.toString("base64"),
    };
    const pending = await cli(["secrets", "status", "--json"], { env: rotating });
    expect(pending.code).toBe(8);
    expect(JSON.parse(pending.stdout)).toMatchObject({
      currentKeyId: K2.id,
      total: 2,
      notUnderCurrent: 2,
      unreadable: 0,
    });
    expect(JSON.parse(pending.stderr).error.code).toBe("REENCRYPTION_PENDING");
    const unreadable = await cli(["secrets", "status"], {
      env: { ...env, INTG_MASTER_KEY: K2.bytes.toString("base64") },
    });
    expect([unreadable.code, unreadable.stderr]).toEqual([4, expect.stringContaining(`not available: ${K1.id}`)]);
    expect(
      (await cli(["secrets", "reveal", "piped"], { env: { ...env, INTG_MASTER_KEY: K2.bytes.toString("base64") } }))
        .code,
    ).toBe(4);

    expect((await cli(["secrets", "rotate-master-key"], { env: rotating })).code).toBe(2);
    const plain = await cli(["secrets", "rotate-master-key", "--yes", "--batch-size", "1"], { env: rotating });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).not.toContain("Re-encrypting");
    expect(plain.stderr).toContain(`All secrets are under master key ${K2.id} (2 re-encrypted).`);
    expect((await cli(["secrets", "status"], { env: rotating })).code).toBe(0);

    const K3 = generateMasterKey();
    const onTty = await cli(["secrets", "rotate-master-key", "--yes"], {
      env: {
        ...env,
        INTG_MASTER_KEY: K3.bytes.toString("base64"),
        INTG_PREVIOUS_MASTER_KEYS: K2.bytes.toString("base64"),
      },
      tty: { stderrIsTTY: true },
    });
    expect(onTty.code, onTty.stderr).toBe(0);
    expect(onTty.stderr).toContain("Re-encrypting");
    expect(
      (await cli(["secrets", "reveal", "piped"], { env: { ...env, INTG_MASTER_KEY: K3.bytes.toString("base64") } }))
        .stdout,
    ).toBe("tok en\n");
  });
});
