import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/databases.js";
import { TEST_MASTER_KEY } from "../helpers/services.js";
import { intg } from "../helpers/spawn.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");

// intg as a dependency: the packed tarball, installed into a consumer package, type-checks and
// runs. The consumer's own node_modules lends intg's dependencies (no registry needed).
describe("the packed package", () => {
  const dir = tempDir("intg-consumer-");
  afterAll(() => dir.dispose());
  const app = join(dir.path, "app");

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
    const r = spawnSync(process.execPath, [TSC, "-p", app], { encoding: "utf8" });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it("runs from the installed package: a key created and verified, an event sent", async () => {
    const db = `file:${join(dir.path, "app.db")}`;
    expect((await intg(["--db", db, "db", "migrate"], { env: { INTG_MASTER_KEY: TEST_MASTER_KEY } })).code).toBe(0);
    const script = join(app, "run.mjs");
    writeFileSync(
      script,
      `import { createKey, openIntg, sendEvent, verifyKey } from "intg";
import { ApiKeyStatus } from "intg/types";
const ctx = await openIntg(process.argv[2], { actor: "consumer" });
const created = await createKey(ctx, { name: "consumer", prefix: "app", environment: "test", scopes: [], expiresAt: null, ownerId: null, metadata: null });
const verified = await verifyKey(ctx, { key: created.key, scope: null });
const sent = await sendEvent(ctx, { type: "order.placed", data: { id: 1 }, idempotencyKey: null, allowUnknownType: true });
console.log(JSON.stringify({ valid: verified.valid, active: created.status === ApiKeyStatus.ACTIVE, sent: sent.events.length }));
await ctx.close();
`,
    );
    const r = spawnSync(process.execPath, [script, db], {
      cwd: app,
      encoding: "utf8",
      env: { PATH: process.env.PATH, INTG_MASTER_KEY: TEST_MASTER_KEY },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ valid: true, active: true, sent: 1 });
  });
});
