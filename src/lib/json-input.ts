import { UsageError } from "../errors.js";

// JSON that an operator hands in to be sent: checked as bytes before it is parsed, so that what is
// stored, signed and sent is exactly what was given. Invalid UTF-8 is refused rather than quietly
// replaced with U+FFFD, and nesting past a bound is refused before JSON.parse could overflow the
// stack on it (a 5,000-level array did, as an internal error).

export const MAX_DEPTH = 128;

/** The text of UTF-8 bytes, or a usage error naming the first bad byte. */
export function decodeUtf8(bytes: Buffer, where: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const at = validUtf8Prefix(bytes);
    throw new UsageError(`${where} is not valid UTF-8 (near byte ${at}); nothing was sent.`, undefined, "INVALID_UTF8");
  }
}

/** How many of the bytes decode as UTF-8 before the first that does not (for a message: halves until it does). */
export function validUtf8Prefix(bytes: Uint8Array): number {
  let at = 0;
  for (let lo = 0, hi = bytes.length; lo < hi; ) {
    const mid = (lo + hi + 1) >> 1;
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
      at = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return at;
}

/** Refuses JSON text nested deeper than `max` arrays and objects, without parsing it. */
export function checkDepth(text: string, where: string, max = MAX_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max)
        throw new UsageError(`${where} nests deeper than ${max} levels; nothing was sent.`, undefined, "JSON_TOO_DEEP");
    } else if (c === 93 || c === 125) depth--;
  }
}
