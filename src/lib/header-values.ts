// Extra HTTP headers an operator gives a webhook endpoint, checked as RFC 9110 fields before they
// are stored: a value that undici would refuse (or, worse, split into two headers) must fail when
// it is saved, with exit 2, not on every delivery afterwards.

export class HeaderInputError extends Error {}

// RFC 9110 5.1: a field name is a token.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// RFC 9110 5.5: field-content is VCHAR / obs-text (0x80-0xFF) with SP and HTAB inside. No control
// character but HTAB (NUL, CR, LF, DEL, and the C1 range 0x80-0x9F that obs-text would let
// through), nothing above Latin-1 (HTTP/1.1 carries bytes; a code point above 0xFF has no
// single-byte form).
const FIELD_VALUE = /^[\t\x20-\x7e\xa0-\xff]*$/;
const EDGE_WHITESPACE = /^[\t ]|[\t ]$/;
const MAX_HEADERS = 50;
const MAX_VALUE_CHARS = 8192;

// Set by the signing itself, or by HTTP: an endpoint's own value would break delivery or verification.
const RESERVED = new Set([
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
  "content-type",
  "content-length",
  "host",
  "connection",
  "transfer-encoding",
]);

// Names that usually carry a credential: given on the command line they land in `ps` and shell history.
const CREDENTIAL_NAME = /auth|token|key|secret|cookie|passw|session|signature|credential|bearer|jwt/i;

export function looksLikeCredential(name: string): boolean {
  return CREDENTIAL_NAME.test(name);
}

/** Why a value is not a field value, or null when it is one. Never quotes the value (it may be a secret). */
export function fieldValueProblem(value: string): string | null {
  if (value.length > MAX_VALUE_CHARS) return `is longer than ${MAX_VALUE_CHARS} characters`;
  if (EDGE_WHITESPACE.test(value)) return "starts or ends with whitespace";
  if (FIELD_VALUE.test(value)) return null;
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code > 0xff) return `holds U+${code.toString(16).toUpperCase().padStart(4, "0")}, outside Latin-1`;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0)) {
      return `holds the control character 0x${code.toString(16).padStart(2, "0")}`;
    }
  }
  return "is not a field value";
}

/** One `Name: value` pair; surrounding optional whitespace (SP, HTAB) is not part of either (RFC 9110 5.5). */
export function parseHeaderPair(pair: string, where: string): [string, string] {
  const colon = pair.indexOf(":");
  const name = colon > 0 ? pair.slice(0, colon).replace(/^[\t ]+|[\t ]+$/g, "") : "";
  if (!TOKEN.test(name)) {
    throw new HeaderInputError(`${where}: not name:value with a header name of letters, digits and !#$%&'*+.^_\`|~-`);
  }
  const value = pair.slice(colon + 1).replace(/^[\t ]+|[\t ]+$/g, "");
  const problem = fieldValueProblem(value);
  if (problem) throw new HeaderInputError(`${where}: the value of ${name} ${problem}`);
  if (RESERVED.has(name.toLowerCase())) {
    throw new HeaderInputError(`${where}: ${name} is set by intg itself and cannot be overridden`);
  }
  return [name, value];
}

/**
 * A header file: one `Name: value` a line, blank lines skipped, CRLF accepted. A line number is
 * named in errors, never the line (its value may be a secret).
 */
export function parseHeaderLines(text: string, where: string): [string, string][] {
  const out: [string, string][] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") return;
    out.push(parseHeaderPair(line, `${where} line ${i + 1}`));
  });
  return out;
}

/** Pairs from every source as one set: a name given twice (in any case) is a mistake, not an override. */
export function mergeHeaders(pairs: [string, string][]): Record<string, string> {
  if (pairs.length > MAX_HEADERS) throw new HeaderInputError(`at most ${MAX_HEADERS} extra headers`);
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [name, value] of pairs) {
    if (seen.has(name.toLowerCase())) throw new HeaderInputError(`the header ${name} is given twice`);
    seen.add(name.toLowerCase());
    out[name] = value;
  }
  return out;
}
