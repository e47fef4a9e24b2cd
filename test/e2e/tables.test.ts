import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { displayWidth, stripAnsi } from "../../src/lib/display-width.js";
import { tempDir } from "../helpers/databases.js";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.js";
import { BIN, collect, intg } from "../helpers/spawn.js";

// Lists as a person and a script see them, through bin/intg: on a pseudo-terminal (script(1))
// 80 columns wide, and piped into cut.

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
const command = (args: string[]) => [process.execPath, BIN, ...args].map(quote).join(" ");

/** Runs a shell command line with stdin closed. */
const sh = (line: string, env: Record<string, string>) =>
  collect(spawn("bash", ["-c", line], { env: { PATH: process.env.PATH ?? "", ...env } }));

/** intg on a pseudo-terminal: stdout and stderr are the terminal, both captured together. */
const onTerminal = (args: string[], env: Record<string, string>) =>
  sh(`script -qec ${quote(command(args))} /dev/null`, { COLUMNS: "80", TERM: "xterm", ...env });

describe("tables through bin/intg", () => {
  const home = tempDir();
  const env = { HOME: home.path, XDG_DATA_HOME: join(home.path, "data"), INTG_ACTOR: "e2e" };
  let fake: FakeProvider;
  const ids = { connection: "" };
  const long = "a key named at such length that no 80-column terminal can show it whole";

  const json = async (args: string[], input?: string) => {
    const r = await intg([...args, "--json"], { env, input });
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    // One request a second and a 2 s Retry-After: the second request in a row waits.
    fake = await startFakeProvider({
      behaviour: "rate-limit",
      rateLimit: { max: 1, windowMs: 1500, retryAfterSeconds: 2 },
    });
    for (const name of ["deploy", long]) await json(["keys", "create", "--name", name, "--scopes", "read,write"]);
    await json(["secrets", "set", "stripe-live", "--type", "api_key"], "sk_live_x\n");
    await json(["secrets", "set", "hubspot", "--type", "bearer_token"], "token\n");
    const provider = [
      "--name",
      "Rate limited provider with a long name",
      "--category",
      "other",
      "--auth",
      "bearer_token",
    ];
    await json([
      "providers",
      "create",
      "--slug",
      "slow",
      ...provider,
      "--base-url",
      fake.url,
      "--allow-private-network",
    ]);
    const connection = [
      "--provider",
      "slow",
      "--env",
      "production",
      "--name",
      "main-billing-connection-for-the-platform",
    ];
    ids.connection = (await json(["connections", "create", ...connection], "token\n")).id;
    // A check moves it from pending to healthy: an event for `connections events`.
    await json(["connections", "check", ids.connection]);
    for (const path of ["/hooks/a-rather-long-path/that-goes-on-and-on/and-on", "/h"]) {
      const events = ["--events", "invoice.*,customer.created", "--allow-private-network"];
      await json(["webhooks", "endpoints", "create", "--url", `${fake.url}${path}`, ...events]);
    }
    for (const n of [1, 2])
      await json([
        "refs",
        "link",
        "--entity",
        `user:${n}`,
        "--connection",
        ids.connection,
        "--external",
        `contact:${n}0`,
      ]);
  }, 60_000);
  afterAll(async () => {
    await fake?.close();
    home.dispose();
  });

  const lists: [string, string[], RegExp][] = [
    ["keys list", ["keys", "list"], /^key_[0-9A-Z]{26}$/],
    ["secrets list", ["secrets", "list"], /^(stripe-live|hubspot|connection\/conn_[0-9A-Z]{26})$/],
    ["connections list", ["connections", "list"], /^conn_[0-9A-Z]{26}$/],
    ["connections events", ["connections", "events", "<connection>"], /^cev_[0-9A-Z]{26}$/],
    ["webhooks endpoints list", ["webhooks", "endpoints", "list"], /^ep_[0-9A-Z]{26}$/],
    ["refs list", ["refs", "list"], /^ref_[0-9A-Z]{26}$/],
  ];
  const argsOf = (args: string[]) => args.map((a) => (a === "<connection>" ? ids.connection : a));

  it.each(lists)("%s fits 80 columns on a terminal, with a header and no rules", async (_name, args) => {
    const r = await onTerminal(argsOf(args), env);
    expect(r.code, r.stdout).toBe(0);
    const lines = stripAnsi(r.stdout).replace(/\r/g, "").split("\n").filter(Boolean);
    expect(lines.length, r.stdout).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^[A-Z]+/);
    expect(r.stdout).toContain("\x1b[1m"); // a bold header
    expect(r.stdout).not.toMatch(/[│─┌└]/);
  });

  it.each(lists)("%s piped: tab-separated rows whose first field cut -f1 gives", async (_name, args, id) => {
    const r = await sh(`${command(argsOf(args))} | cut -f1`, env);
    expect(r.code, r.stderr).toBe(0);
    const firsts = r.stdout.trim().split("\n");
    expect(firsts.length).toBeGreaterThanOrEqual(1);
    for (const first of firsts) expect(first).toMatch(id);
    const raw = await intg(argsOf(args), { env });
    expect(raw.stdout).not.toContain("\x1b[");
    for (const line of raw.stdout.trim().split("\n")) expect(line).toContain("\t");
  });

  it("truncates the widest column with … and keeps the ids whole", async () => {
    const r = stripAnsi((await onTerminal(["keys", "list"], env)).stdout);
    expect(r).not.toContain(long);
    expect(r).toContain("…");
    const piped = await intg(["keys", "list"], { env });
    expect(piped.stdout).toContain(long);
    for (const id of piped.stdout
      .trim()
      .split("\n")
      .map((l) => l.split("\t")[0]!))
      expect(r).toContain(id);
  });

  it("--json a,b keeps those fields; a wrong one exits 2 listing the valid ones; --jq filters", async () => {
    const picked = await intg(["keys", "list", "--json", "id,name"], { env });
    expect(picked.code, picked.stderr).toBe(0);
    const rows = JSON.parse(picked.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(Object.keys(row)).toEqual(["id", "name"]);
    // The word after --json is an id, not fields: it stays the argument.
    const one = await intg(["keys", "show", "--json", rows[0]!.id as string], { env });
    expect(JSON.parse(one.stdout)).toMatchObject({ id: rows[0]!.id, status: "ACTIVE" });
    const named = await intg(["secrets", "show", "--json", "hubspot"], { env });
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(named.stdout)).toMatchObject({ name: "hubspot" });

    const wrong = await intg(["keys", "list", "--json", "id,nmae"], { env });
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toBe("");
    const { error } = JSON.parse(wrong.stderr);
    expect(error).toMatchObject({ code: "INVALID_JSON_FIELD", message: 'Unknown JSON field: "nmae".' });
    expect(error.hint).toMatch(/^Available fields:\n(\s+\w+\n)*\s+name\n/);
    expect(JSON.parse((await intg(["keys", "list", "--json=id"], { env })).stdout)[0]).toEqual({ id: rows[0]!.id });
    expect((await intg(["keys", "list", "--json=id;drop"], { env })).code).toBe(2);

    const active = await intg(["keys", "list", "--jq", '.[] | select(.status=="ACTIVE") | .id'], { env });
    expect(active.code, active.stderr).toBe(0);
    expect(active.stdout.trim().split("\n").sort()).toEqual(rows.map((r) => r.id).sort());
    const mapped = await intg(["keys", "list", "--jq", "map(.id)"], { env });
    expect(JSON.parse(mapped.stdout)).toHaveLength(2);
    expect((await intg(["keys", "list", "--jq", "length"], { env })).stdout).toBe("2\n");
    const both = await intg(["keys", "list", "--json", "name", "--jq", ".[0] | keys"], { env });
    expect(JSON.parse(both.stdout)).toEqual(["name"]);

    // A filter that does not compile is refused before the command runs: nothing is created.
    const typo = await intg(["keys", "create", "--name", "never", "--jq", ".["], { env });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("--jq: syntax error");
    const failing = await intg(["keys", "list", "--jq", 'error("boom")'], { env });
    expect([failing.code, failing.stderr]).toEqual([1, expect.stringContaining("boom")]);
    expect(JSON.parse((await intg(["keys", "list", "--json"], { env })).stdout)).toHaveLength(2);
    // A wrong field is refused before the key is created: no key, so no secret to lose.
    const created = await intg(["keys", "create", "--name", "typo", "--json", "id,kye"], { env });
    expect(created.code).toBe(2);
    expect(created.stdout).toBe("");
    expect(JSON.parse(created.stderr).error.code).toBe("INVALID_JSON_FIELD");
    expect(JSON.parse((await intg(["keys", "list", "--json"], { env })).stdout)).toHaveLength(2);
  });

  it("-q leaves results and errors; --json leaves the JSON, with no ✓ line", async () => {
    const quiet = await intg(["-q", "secrets", "set", "quiet-one", "--type", "api_key"], { env, input: "v\n" });
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe("");
    expect(quiet.stdout).toBe("quiet-one\n"); // what it made, by name: no view to read past
    const asJson = await intg(
      [
        "providers",
        "create",
        "--slug",
        "quietly",
        "--name",
        "q",
        "--category",
        "other",
        "--base-url",
        fake.url,
        "--allow-private-network",
        "--auth",
        "none",
        "--json",
      ],
      { env },
    );
    expect(asJson.code, asJson.stderr).toBe(0);
    expect(asJson.stderr).toBe("");
    expect(JSON.parse(asJson.stdout)).toMatchObject({ slug: "quietly" });
    const loud = await intg(["secrets", "set", "loud-one", "--type", "api_key"], { env, input: "v\n" });
    expect(loud.stderr).toContain("✓");
    // A first secret in a new home creates the master key file, with a warning to back it up.
    for (const quietly of [false, true]) {
      const fresh = tempDir();
      const freshEnv = { HOME: fresh.path, XDG_DATA_HOME: join(fresh.path, "data") };
      const args = [...(quietly ? ["-q"] : []), "secrets", "set", "first", "--type", "api_key"];
      const r = await intg(args, { env: freshEnv, input: "v\n" });
      fresh.dispose();
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(quietly ? /^first\n$/ : /^name:\tfirst$/m);
      if (quietly) expect(r.stderr).toBe("");
      else expect(r.stderr).toContain("warning: created the master key file");
    }
  });

  it("a closed pipe ends the command with exit 0 and no trace", async () => {
    for (const args of [
      ["connections", "--help"],
      ["keys", "list"],
      ["keys", "list", "--json"],
    ]) {
      const r = await sh(`${command(args)} | head -1; echo "exit=\${PIPESTATUS[0]}" >&2`, env);
      expect(r.stderr, args.join(" ")).toBe("exit=0\n");
      expect(r.stdout.split("\n")).toHaveLength(2);
    }
    // The reader gone before the first write: every write fails, deterministically.
    for (const args of [
      ["connections", "--help"],
      ["keys", "list"],
    ]) {
      const r = await sh(`exec 3>&1; (${command(args)}; echo "exit=$?" >&3) | (exec 0<&-; true); sleep 0.2`, env);
      expect(r.stdout, args.join(" ")).toBe("exit=0\n");
      expect(r.stderr).toBe("");
    }
  });

  it("a secret shown once whose reader went away fails (exit 1), naming what was made and how to undo it", async () => {
    // It ended with exit 0, the key created and its only copy lost.
    const before = (await json(["keys", "list"])).length;
    for (const asJson of [false, true]) {
      const args = ["keys", "create", "--name", "lost", ...(asJson ? ["--json"] : [])];
      const r = await sh(`exec 3>&1; (${command(args)}; echo "exit=$?" >&3) | (exec 0<&-; true); sleep 0.2`, env);
      expect(r.stdout, args.join(" ")).toBe("exit=1\n");
      expect(r.stderr).toMatch(
        /The key key_\w+ was created, but stdout closed before it was written: revoke it \(intg keys revoke key_\w+\)/,
      );
      expect(r.stderr).toContain("It is shown only once.");
    }
    expect(await json(["keys", "list"])).toHaveLength(before + 2);
    // A reader that took what it wanted and left is no failure: the key was written.
    const head = await sh(
      `${command(["keys", "create", "--name", "kept"])} | head -c 5; echo " exit=\${PIPESTATUS[0]}"`,
      env,
    );
    expect(head.stdout).toMatch(/^\w{5} exit=0\n$/);
  });

  it("a wait longer than a second shows a status line on a terminal, and none in a pipe", async () => {
    const request = ["connections", "request", ids.connection, "GET", "/v1/things"];
    await new Promise((resolve) => setTimeout(resolve, 1600)); // the window the check used is over
    expect((await intg(request, { env })).code).toBe(0);
    const waited = await onTerminal(request, env);
    expect(waited.code, waited.stdout).toBe(0);
    expect(waited.stdout).toMatch(/The provider asked conn_\w+ to wait \(429\) until \d\d:\d\d:\d\d \(2s\)…/);
    expect(waited.stdout).toContain('"ok": true');
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await intg(request, { env })).code).toBe(0);
    const piped = await intg(request, { env });
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toContain("until");
  }, 30_000);
});
