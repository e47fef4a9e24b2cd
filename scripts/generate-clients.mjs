// Generates both Prisma clients. `prisma generate` downloads the native schema engine although it
// does not use it; pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips the download.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PROVIDERS } from "./write-schemas.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const prismaCli = createRequire(import.meta.url).resolve("prisma/build/index.js");
// The kysely generator is a command Prisma runs by name: node_modules/.bin goes on the PATH, as npm would.
const bin = join(root, "node_modules", ".bin");
const env = {
  ...process.env,
  PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
};
for (const provider of PROVIDERS) {
  const r = spawnSync(
    process.execPath,
    [prismaCli, "generate", "--schema", join(root, "prisma", provider, "schema.prisma")],
    { env, cwd: root, stdio: ["ignore", "inherit", "inherit"] },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}
