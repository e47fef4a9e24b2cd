// Build: check the two schemas are current, generate both Prisma clients, compile TypeScript.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
function step(args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
step([join(root, "scripts/write-schemas.mjs"), "--check"]);
step([join(root, "scripts/generate-clients.mjs")]);
rmSync(join(root, "dist"), { recursive: true, force: true });
step([tsc, "-p", join(root, "tsconfig.json")]);
