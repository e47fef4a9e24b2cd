import { createRequire } from "node:module";

// Node's crypto and zlib take ~4 ms and ~2.5 ms to load, and the CLI starts again for every
// command: a command that never hashes (`keys list`) should not pay for them. Modules that sit on
// such paths reach them through these, on first use.
const require = createRequire(import.meta.url);
let crypto: typeof import("node:crypto") | undefined;
let zlib: typeof import("node:zlib") | undefined;
let tty: typeof import("node:tty") | undefined;
let os: typeof import("node:os") | undefined;

export const nodeCrypto = (): typeof import("node:crypto") => (crypto ??= require("node:crypto"));
/** Whether node:crypto was loaded through nodeCrypto (sha256.ts then uses it). */
export const cryptoLoaded = (): boolean => crypto !== undefined;
export const nodeZlib = (): typeof import("node:zlib") => (zlib ??= require("node:zlib"));
// node:tty loads net and the stream modules: only a descriptor that may be a terminal asks it.
export const nodeTty = (): typeof import("node:tty") => (tty ??= require("node:tty"));
export const nodeOs = (): typeof import("node:os") => (os ??= require("node:os"));
