import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PG_BASE_URL, tempDir, tempPostgres, type TempDb } from "../helpers/databases.js";
import { makeRecords, startFakePagedApi, type FakePagedApi } from "../helpers/fake-paged-api.js";
import { BIN, intg } from "../helpers/spawn.js";

// `connections sync` end to end through bin/intg against a paged fake API (a real HTTP server):
// a page failing mid-sync leaves the job failed with its checkpoint, the rerun resumes from that
// page only and succeeds with the right counts; a full sync after a deletion marks exactly that
// reference remote-deleted; a SIGKILLed sync is resumed by the next run.

async function scenario(env: Record<string, string>, dir: string, api: FakePagedApi): Promise<void> {
  const run = (args: string[], input?: string) => intg(args, { env, input });
  const json = async (args: string[], input?: string) => {
    const r = await run([...args, "--json"], input);
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout);
  };
  const file = join(dir, `provider-${randomBytes(3).toString("hex")}.json`);
  const contacts = {
    path: "/contacts",
    externalType: "contact",
    pagination: "page",
    pageSizeParam: "per_page",
    pageSize: 2,
  };
  writeFileSync(
    file,
    JSON.stringify([
      {
        slug: "paged",
        name: "Paged",
        category: "crm",
        baseUrl: api.url,
        auth: "bearer_token",
        allowPrivateNetwork: true,
        resources: { contacts },
      },
    ]),
  );
  await json(["providers", "import", file]);
  const conn = await json(
    ["connections", "create", "--provider", "paged", "--env", "production", "--name", "main"],
    "tok-1",
  );
  await json([
    "refs",
    "mappings",
    "set",
    "contacts",
    "--provider",
    "paged",
    "--entity-type",
    "user",
    "--external-type",
    "contact",
    "--field",
    "id=id!",
    "--field",
    "email=email!",
  ]);

  // Bad input exits 2 and writes no job.
  const bad = await run(["connections", "sync", conn.id, "--resource", "nope"]);
  expect(bad.code, bad.stderr).toBe(2);
  expect(bad.stderr).toContain("contacts");
  expect(await json(["connections", "syncs", conn.id])).toEqual([]);

  // Page 3 answers 500 once: the job fails with its checkpoint at page 3.
  api.failOnce(3);
  const failed = await run(["connections", "sync", conn.id, "--resource", "contacts"]);
  expect(failed.code, failed.stderr).toBe(1);
  expect(failed.stderr).toContain("500");
  const [job] = await json(["connections", "syncs", conn.id]);
  expect(job).toMatchObject({
    status: "failed",
    checkpoint: { page: 3 },
    recordsRead: 4,
    recordsCreated: 4,
    stalled: false,
  });
  expect(api.requests).toEqual([
    "/contacts?page=1&per_page=2",
    "/contacts?page=2&per_page=2",
    "/contacts?page=3&per_page=2",
  ]);

  api.requests.length = 0;
  const resumed = await json(["connections", "sync", conn.id, "--resource", "contacts"]);
  expect(api.requests).toEqual(["/contacts?page=3&per_page=2"]);
  expect(resumed).toMatchObject({
    id: job.id,
    status: "succeeded",
    recordsRead: 5,
    recordsCreated: 5,
    recordsUpdated: 0,
    recordsDeleted: 0,
  });
  expect((await json(["refs", "list", "--connection", conn.id])).length).toBe(5);

  // Full syncs: nothing gone, then c2 removed remotely.
  expect(await json(["connections", "sync", conn.id, "--resource", "contacts", "--full"])).toMatchObject({
    status: "succeeded",
    recordsRead: 5,
    recordsCreated: 0,
    recordsDeleted: 0,
  });
  api.records.splice(1, 1);
  const full = await json(["connections", "sync", conn.id, "--resource", "contacts", "--full"]);
  expect(full).toMatchObject({ status: "succeeded", full: true, recordsRead: 4, recordsDeleted: 1 });
  const refs: Array<{ id: string; externalId: string; remoteDeleted: boolean }> = await json([
    "refs",
    "list",
    "--connection",
    conn.id,
  ]);
  expect(refs.filter((r) => r.remoteDeleted).map((r) => r.externalId)).toEqual(["c2"]);
  const history = await json(["refs", "history", refs.find((r) => r.externalId === "c2")!.id]);
  expect(history.map((h: { action: string; source: string }) => `${h.action}/${h.source}`)).toEqual([
    "link/sync",
    "remote_delete/sync",
  ]);
  expect((await json(["connections", "syncs", conn.id])).map((j: { status: string }) => j.status)).toEqual([
    "succeeded",
    "succeeded",
    "succeeded",
  ]);

  // SIGKILL after the first page lands: the next run takes the job over and continues at page 2.
  const second = await json(
    ["connections", "create", "--provider", "paged", "--env", "staging", "--name", "second"],
    "tok-2",
  );
  api.hold(2);
  api.requests.length = 0;
  const killedRun = await untilFirstPage(second.id, env, (child) => child.kill("SIGKILL"));
  expect(killedRun.code).toBe(null);
  api.release();
  const [killed] = await json(["connections", "syncs", second.id]);
  expect(killed).toMatchObject({ status: "running", checkpoint: { page: 2 }, recordsRead: 2 });
  api.requests.length = 0;
  const after = await json(["connections", "sync", second.id, "--resource", "contacts"]);
  expect(api.requests).toEqual(["/contacts?page=2&per_page=2", "/contacts?page=3&per_page=2"]);
  expect(after).toMatchObject({ id: killed.id, status: "succeeded", recordsRead: 4, recordsCreated: 4 });
  // The killed attempt left no word of its own: the takeover records it.
  expect(after.errors).toEqual([
    {
      message: expect.stringMatching(
        new RegExp(`^abandoned \\(worker died\\): \\S+:${killedRun.pid} last seen at \\S+, taken over at \\S+$`),
      ),
      externalId: null,
    },
  ]);

  // SIGINT after the first page: exit 130, the job interrupted at page 2, never succeeded.
  api.hold(2);
  const third = await json(
    ["connections", "create", "--provider", "paged", "--env", "sandbox", "--name", "third"],
    "tok-3",
  );
  const { code, stderr } = await untilFirstPage(third.id, env, (child) => child.kill("SIGINT"));
  api.release();
  expect(code, stderr).toBe(130);
  expect((await json(["connections", "syncs", third.id]))[0]).toMatchObject({
    status: "interrupted",
    checkpoint: { page: 2 },
    recordsRead: 2,
  });
  expect(await json(["connections", "sync", third.id, "--resource", "contacts"])).toMatchObject({
    status: "succeeded",
    recordsRead: 4,
  });

  // The declaration travels with the provider's export.
  const exported = await run(["providers", "export", "--format", "json"]);
  expect(exported.stdout.replace(/\s/g, "")).toContain('"pageSizeParam":"per_page"');
}

/** Spawns a sync, calls `signal` once its first page is committed, and waits for it to end. */
async function untilFirstPage(
  connection: string,
  env: Record<string, string>,
  signal: (child: ReturnType<typeof spawn>) => void,
): Promise<{ code: number | null; stderr: string; pid: number | undefined }> {
  const child = spawn(process.execPath, [BIN, "connections", "sync", connection, "--resource", "contacts"], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  let signalled = false;
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
    if (!signalled && stderr.includes("checkpoint")) (signalled = true), signal(child);
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr, pid: child.pid })));
}

describe("intg connections sync through bin/intg", () => {
  const home = tempDir();
  afterAll(() => home.dispose());

  it("on SQLite: fails mid-sync, resumes from the checkpoint, marks a deletion, survives SIGKILL", async () => {
    const api = await startFakePagedApi(makeRecords(5));
    try {
      await scenario({ HOME: home.path, XDG_DATA_HOME: join(home.path, "data"), INTG_ACTOR: "e2e" }, home.path, api);
    } finally {
      await api.close();
    }
  }, 90_000);
});

describe.runIf(PG_BASE_URL)("intg connections sync through bin/intg on PostgreSQL", () => {
  const home = tempDir();
  let pg: TempDb | undefined;
  afterAll(async () => {
    await pg?.dispose();
    home.dispose();
  });

  it("runs the same scenario", async () => {
    pg = await tempPostgres();
    const env = {
      HOME: home.path,
      INTG_DATABASE_URL: pg.url,
      INTG_MASTER_KEY: randomBytes(32).toString("base64"),
      INTG_ACTOR: "e2e",
    };
    expect((await intg(["db", "migrate"], { env })).code).toBe(0);
    const api = await startFakePagedApi(makeRecords(5));
    try {
      await scenario(env, home.path, api);
    } finally {
      await api.close();
    }
  }, 90_000);
});
