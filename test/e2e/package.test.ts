import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/databases.js";
import { TEST_MASTER_KEY } from "../helpers/services.js";
import { intg } from "../helpers/spawn.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");

// intg as a dependency: the packed tarball, installed into a consumer package, type-checks and
// runs. The consumer's own node_modules lends intg's dependencies (no registry needed).

/** What the consumers run: a key created and verified, an event sent (the script declares the names). */
const CALLS = `async function calls() {
  const ctx = await openIntg(process.argv[2], { actor: "consumer" });
  const key = { name: "consumer", prefix: "app", environment: "test", scopes: [], expiresAt: null, ownerId: null };
  const created = await createKey(ctx, { ...key, metadata: null });
  const verified = await verifyKey(ctx, { key: created.key, scope: null });
  const event = { type: "order.placed", data: { id: 1 }, idempotencyKey: null, allowUnknownType: true };
  const sent = await sendEvent(ctx, event);
  await ctx.close();
  return { valid: verified.valid, active: created.status === ApiKeyStatus.ACTIVE, sent: sent.events.length };
}`;
const runScript = (script: string, db: string) =>
  spawnSync(process.execPath, [script, db], {
    cwd: dirname(script),
    encoding: "utf8",
    env: { PATH: process.env.PATH, INTG_MASTER_KEY: TEST_MASTER_KEY },
  });
describe("the packed package", () => {
  const dir = tempDir("intg-consumer-");
  afterAll(() => dir.dispose());
  const app = join(dir.path, "app");
  const typeChecks = (project: string) => {
    const r = spawnSync(process.execPath, [TSC, "-p", project], { encoding: "utf8" });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  };
  /** A database migrated by the CLI, for a consumer to open. */
  const migrated = async (name: string) => {
    const db = `file:${join(dir.path, name)}`;
    expect((await intg(["--db", db, "db", "migrate"], { env: { INTG_MASTER_KEY: TEST_MASTER_KEY } })).code).toBe(0);
    return db;
  };

  it("packs, and a consumer type-checks imports of intg and intg/types", () => {
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--pack-destination", dir.path], { cwd: ROOT, encoding: "utf8" }),
    );
    const tarball = join(dir.path, packed[0].filename);
    const installed = join(app, "node_modules", "intg");
    mkdirSync(installed, { recursive: true });
    execFileSync("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"]);
    symlinkSync(join(ROOT, "node_modules"), join(installed, "node_modules"), "dir");
    symlinkSync(join(ROOT, "node_modules", "@types"), join(app, "node_modules", "@types"), "dir");
    expect(readdirSync(installed)).toEqual(expect.arrayContaining(["bin", "dist", "package.json"]));

    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", type: "module", private: true }));
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
        },
        files: ["app.ts"],
      }),
    );
    writeFileSync(
      join(app, "app.ts"),
      `import type { ApiKeyInfo, WebhookDeliveryInfo } from "intg/types";
import { ApiKeyStatus } from "intg/types";
import { createKey, openIntg, sendEvent, verifyKey, type PrismaLike, intgOnPrisma } from "intg";

export async function main(url: string): Promise<ApiKeyInfo["status"]> {
  const ctx = await openIntg(url, { actor: "consumer" });
  try {
    const created = await createKey(ctx, { name: "consumer", prefix: "app", environment: "test", scopes: [], expiresAt: null, ownerId: null, metadata: null });
    const verified = await verifyKey(ctx, { key: created.key, scope: null });
    const sent = await sendEvent(ctx, { type: "order.placed", data: { id: 1 }, idempotencyKey: null, allowUnknownType: true });
    const deliveries: WebhookDeliveryInfo[] = [];
    console.log(JSON.stringify({ valid: verified.valid, status: created.status, sent: sent.events.length, deliveries: deliveries.length }));
    return created.status === ApiKeyStatus.ACTIVE ? ApiKeyStatus.ACTIVE : created.status;
  } finally {
    await ctx.close();
  }
}
export const onPrisma = (p: PrismaLike) => intgOnPrisma(p, { provider: "postgresql" });
`,
    );
    typeChecks(app);
  });

  it("runs from the installed package: a key created and verified, an event sent", async () => {
    const db = await migrated("app.db");
    const script = join(app, "run.mjs");
    writeFileSync(
      script,
      `import { createKey, openIntg, sendEvent, verifyKey } from "intg";
import { ApiKeyStatus } from "intg/types";
${CALLS}
console.log(JSON.stringify(await calls()));
`,
    );
    const r = runScript(script, db);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ valid: true, active: true, sent: 1 });
  });

  // require("intg") from a CommonJS app failed: the exports held an "import" condition only.
  const cjs = join(dir.path, "app-cjs");
  it("type-checks a CommonJS consumer's imports of intg and intg/types, as module node16 reads them", () => {
    mkdirSync(cjs);
    symlinkSync(join(app, "node_modules"), join(cjs, "node_modules"), "dir");
    writeFileSync(join(cjs, "package.json"), JSON.stringify({ name: "app-cjs", type: "commonjs", private: true }));
    // node16 refuses to require() an ES module's declarations, as TypeScript before 5.8 does.
    const options = { module: "Node16", moduleResolution: "Node16", target: "ES2022", strict: true, noEmit: true };
    const files = ["app.ts"];
    writeFileSync(
      join(cjs, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { ...options, types: ["node"] }, files }),
    );
    writeFileSync(
      join(cjs, "app.ts"),
      `import { createKey, openIntg, type ServiceContext } from "intg";
import { ApiKeyStatus, type ApiKeyInfo } from "intg/types";

export async function main(url: string): Promise<ApiKeyInfo["status"]> {
  const opened = await openIntg(url, { actor: "consumer" });
  const ctx: ServiceContext = opened;
  const key = { name: "consumer", prefix: "app", environment: "test", ownerId: null } as const;
  try {
    const created = await createKey(ctx, { ...key, scopes: [], expiresAt: null, metadata: null });
    return created.status === ApiKeyStatus.ACTIVE ? ApiKeyStatus.ACTIVE : created.status;
  } finally {
    await opened.close();
  }
}
`,
    );
    typeChecks(cjs);
  });

  it("runs from the installed package in a CommonJS app: require() gives the CommonJS build", async () => {
    const db = await migrated("cjs.db");
    const script = join(cjs, "run.js");
    writeFileSync(
      script,
      `const { createKey, openIntg, sendEvent, verifyKey } = require("intg");
const { ApiKeyStatus } = require("intg/types");
const root = require.resolve("intg/package.json").slice(0, -"package.json".length);
${CALLS}
calls().then((r) => console.log(JSON.stringify({ from: require.resolve("intg").slice(root.length), ...r })));
`,
    );
    const r = runScript(script, db);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ from: "dist/index.cjs", valid: true, active: true, sent: 1 });
    expect(r.stderr).toBe(""); // no warning either
  });
});
