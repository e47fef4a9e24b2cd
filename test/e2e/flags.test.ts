import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/databases.js";
import { intg } from "../helpers/spawn.js";

// One flag vocabulary across nouns (issue 15): the syntax one noun took and another refused now works
// on both, and renamed flags still work by their old names, with one line on stderr.

const home = tempDir();
const env = {
  HOME: home.path,
  XDG_DATA_HOME: join(home.path, "data"),
  INTG_ACTOR: "e2e",
  INTG_MASTER_KEY: randomBytes(32).toString("base64"),
  TOKEN: "tok_from_env",
};
const ok = async (args: string[], input?: string) => {
  const r = await intg(args, { env, input });
  expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r;
};
const json = async (args: string[], input?: string) => JSON.parse((await ok([...args, "--json"], input)).stdout);
const note = (old: string, current: string) => `intg: ${old} is deprecated; use ${current}`;
/** The deprecation lines of a run's stderr (other messages, like the ✓ line, are not this test's). */
const notes = (stderr: string) => stderr.split("\n").filter((line) => line.includes("deprecated"));

describe("one flag vocabulary through bin/intg", () => {
  afterAll(() => home.dispose());

  it("takes a date for --since on audit list, 50/s on providers update, and enum values in either case", async () => {
    await json(["keys", "create", "--name", "k", "--env", "TEST", "--scopes", "READ,Webhooks"]);
    expect(await json(["audit", "list", "--since", "2000-01-01"])).not.toEqual([]);
    expect(await json(["audit", "list", "--since", "2126-12-01"])).toEqual([]);
    expect(await json(["audit", "list", "--since", "1h"])).not.toEqual([]);
    const bad = await intg(["audit", "list", "--since", "yesterday"], { env });
    expect([bad.code, bad.stderr.split("\n")[0]]).toEqual([
      2,
      'intg: --since: "yesterday" is not a duration or a date.',
    ]);
    expect(await json(["keys", "metrics", "--since", "2026-01-01"])).toHaveProperty("rotations");

    await ok([
      ...["providers", "create", "--slug", "billing", "--name", "Billing", "--category", "PAYMENTS"],
      ...["--base-url", "https://billing.example.com", "--auth", "API_KEY", "--auth-placement", "HEADER"],
    ]);
    const updated = await json(["providers", "update", "billing", "--rate-limit", "50/s"]);
    expect(updated.connector.rateLimitPerMinute).toBe(3000);
    expect(updated.connector.auth).toMatchObject({ type: "API_KEY", placement: "header" });

    await ok(["secrets", "set", "stripe", "--type", "api_key"], "sk_1");
    await ok(["secrets", "set", "gh", "--type", "BEARER_TOKEN", "--from-env", "TOKEN"]);
    const listed = await json(["secrets", "list", "--type", "Api-Key"]);
    expect(listed.map((s: { name: string }) => s.name)).toEqual(["stripe"]);
    const help = (await ok(["secrets", "set", "--help"])).stdout;
    expect(help).toContain('"api_key"');
    expect(help).not.toContain("API_KEY");
  });

  it("keeps the old connections flags working, each with one deprecation note, and -q silences it", async () => {
    const file = join(home.path, "credential.txt");
    writeFileSync(file, "key_from_file\n");
    // Not under --json: there stderr holds a JSON error alone, so the note is left out (tested below).
    const create = (name: string, ...flags: string[]) =>
      intg(["connections", "create", "--provider", "billing", "--name", name, ...flags], { env });
    /** A field of the view the command printed (piped: `field:<TAB>value` lines). */
    const field = (stdout: string, name: string) => stdout.match(new RegExp(`^${name}:\t(.*)$`, "m"))?.[1];

    const old = await create("old", "--env", "Staging", "--credential-env", "TOKEN");
    expect(old.code, old.stderr).toBe(0);
    expect(notes(old.stderr)).toEqual([note("--env", "--environment"), note("--credential-env", "--from-env")]);
    expect(field(old.stdout, "environment")).toBe("staging");

    const current = await create("new", "--environment", "production", "--from-file", file);
    expect([current.code, notes(current.stderr)]).toEqual([0, []]);
    const quiet = await intg(
      ["connections", "create", "--provider", "billing", "--name", "q", "--env", "sandbox", "-q"],
      { env, input: "key" },
    );
    expect([quiet.code, quiet.stderr]).toEqual([0, ""]);
    // Under --json stderr is for a JSON error alone: the note stays out of it, as it does of a refusal.
    const asJson = await intg(
      ["connections", "create", "--provider", "billing", "--name", "j", "--env", "development", "--json"],
      { env, input: "key" },
    );
    expect([asJson.code, asJson.stderr]).toEqual([0, ""]);
    const refusedJson = await intg(
      ["connections", "create", "--provider", "nope", "--name", "x", "--env", "sandbox", "--json"],
      {
        env,
        input: "key",
      },
    );
    expect(refusedJson.code).not.toBe(0);
    expect(JSON.parse(refusedJson.stderr).error.code).toEqual(expect.any(String));

    const id = field(old.stdout, "id")!;
    const replaced = await intg(["connections", "set-credentials", id, "--credential-file", file], { env });
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(notes(replaced.stderr)).toEqual([note("--credential-file", "--from-file")]);

    const listedByOld = await intg(["connections", "list", "--env", "staging,SANDBOX"], { env });
    expect(notes(listedByOld.stderr)).toEqual([note("--env", "--environment")]);
    const byOld = await intg(["connections", "list", "--env", "staging,SANDBOX", "--json"], { env });
    expect(byOld.stderr).toBe("");
    const names = JSON.parse(byOld.stdout).map((c: { name: string }) => c.name);
    expect(names.sort()).toEqual(["old", "q"]);
    expect((await json(["connections", "list", "--environment", "production"])).length).toBe(1);

    const refused = await intg(["connections", "create", "--provider", "billing", "--name", "x", "--env", "prod"], {
      env,
      input: "key",
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^intg: --env: unknown value "prod"/);

    const help = (await ok(["connections", "create", "--help"])).stdout;
    expect(help).toContain("--environment <environment>");
    expect(help).toContain("--from-file <path>");
    for (const hidden of ["--credential-file", "--credential-env", "--env "]) expect(help).not.toContain(hidden);
  });
});
