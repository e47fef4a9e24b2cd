import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { cryptoLoaded, nodeCrypto } from "./lazy-builtins.js";

// SHA-256 without loading node:crypto, for a command that hashes a short text or two and exits:
// loading it (it loads Node's stream modules too) is ~4 ms, a tenth of `keys verify`, for a hash
// that takes microseconds. Not yet compiled, JavaScript hashes a long text slowly (25 KB: ~10 ms),
// and a process that hashes more (a verifier serving requests) is better served by Node's: long
// texts, and every hash after the first JS_HASHES or once node:crypto is loaded anyway, use it.
// Both give the same digest (test/unit/sha256.test.ts).

const JS_HASHES = 16;
const JS_MAX_LENGTH = 1024;
let jsHashes = 0;
const encoder = new TextEncoder();

/** SHA-256 of a text's UTF-8 bytes, in lower-case hex. */
export function sha256Hex(text: string): string {
  if (cryptoLoaded() || jsHashes >= JS_HASHES || text.length > JS_MAX_LENGTH)
    return nodeCrypto().hash("sha256", text, "hex");
  jsHashes++;
  return bytesToHex(sha256(encoder.encode(text)));
}
