import { createRequire } from "node:module";

// package.json sits two levels above both src/cli and dist/cli.
export const VERSION: string = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;
