import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// The folder that holds package.json and prisma/. Found by walking up from this module, because it
// runs from src/ under the tests and from a bundled chunk in dist/ otherwise.
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "prisma"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("intg cannot find its package folder (package.json beside prisma/)");
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot();
