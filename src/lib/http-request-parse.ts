// A captured webhook request, as a person saves it for `intg webhooks verify`: either HTTP/1.1 text
// (request line, headers, blank line, body) or a JSON object {"headers": {...}, "body": "..."}.
// The body is kept as bytes: a signature covers the exact bytes, so nothing here may re-encode,
// trim or re-serialise it.

export interface CapturedRequest {
  /** Header names lower-cased; a repeated header keeps its values joined by ", " as HTTP allows. */
  headers: Record<string, string>;
  body: Buffer;
}

/** The input is not a request this parser understands; the message says what was wrong. */
export class RequestParseError extends Error {}

const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/\d(\.\d)?$/;
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;

export function parseCapturedRequest(input: Buffer): CapturedRequest {
  const start = input.toString("latin1", 0, Math.min(input.length, 64)).trimStart();
  if (start === "") throw new RequestParseError("the request is empty");
  return start.startsWith("{") ? parseJsonRequest(input) : parseHttpRequest(input);
}

function parseJsonRequest(input: Buffer): CapturedRequest {
  let value: unknown;
  try {
    value = JSON.parse(input.toString("utf8"));
  } catch (error) {
    throw new RequestParseError(`the request looks like JSON but does not parse (${(error as Error).message})`);
  }
  const o = value as { headers?: unknown; body?: unknown };
  if (typeof o.headers !== "object" || o.headers === null || Array.isArray(o.headers))
    throw new RequestParseError('the JSON request has no "headers" object');
  // A parsed object would have to be serialised again, and those would not be the signed bytes.
  if (typeof o.body !== "string")
    throw new RequestParseError('"body" must be the raw body as a string, exactly as received (not parsed JSON)');
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(o.headers as Record<string, unknown>)) {
    const values = Array.isArray(raw) ? raw : [raw];
    if (!values.every((v) => typeof v === "string" || typeof v === "number"))
      throw new RequestParseError(`header "${name}" is not a string`);
    addHeader(headers, name, values.map(String).join(", "));
  }
  return { headers, body: Buffer.from(o.body, "utf8") };
}

function parseHttpRequest(input: Buffer): CapturedRequest {
  // Headers end at the first empty line, CRLF as on the wire or LF as an editor saves it.
  const crlf = input.indexOf("\r\n\r\n");
  const lf = input.indexOf("\n\n");
  let end: number;
  let sep: number;
  if (crlf !== -1 && (lf === -1 || crlf < lf)) [end, sep] = [crlf, 4];
  else if (lf !== -1) [end, sep] = [lf, 2];
  else [end, sep] = [input.length, 0];
  const lines = input.toString("latin1", 0, end).replace(/^\s+/, "").split(/\r?\n/);
  if (REQUEST_LINE.test(lines[0]!)) lines.shift();
  else if (!HEADER_LINE.test(lines[0]!))
    throw new RequestParseError(
      `line 1 is neither a request line ("POST /path HTTP/1.1") nor a header: "${lines[0]!.slice(0, 60)}"`,
    );
  const headers: Record<string, string> = {};
  lines.forEach((line, i) => {
    const m = HEADER_LINE.exec(line);
    if (!m) throw new RequestParseError(`header line ${i + 2} is not "Name: value": "${line.slice(0, 60)}"`);
    addHeader(headers, m[1]!, m[2]!);
  });
  let body = input.subarray(end + sep);
  const length = headers["content-length"];
  if (length !== undefined) {
    if (!/^\d+$/.test(length)) throw new RequestParseError(`Content-Length "${length}" is not a number`);
    // An editor adds a final newline the sender never sent: Content-Length says where the body ends.
    if (Number(length) > body.length)
      throw new RequestParseError(`Content-Length says ${length} bytes but the body has ${body.length}`);
    body = body.subarray(0, Number(length));
  }
  if (/chunked/i.test(headers["transfer-encoding"] ?? "")) body = dechunk(body);
  return { headers, body };
}

function addHeader(headers: Record<string, string>, name: string, value: string): void {
  const key = name.toLowerCase();
  headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
}

/** A body captured with Transfer-Encoding: chunked; the signature covers the de-chunked bytes. */
function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf("\r\n", at);
    if (eol === -1) throw new RequestParseError("the chunked body ends before its last chunk");
    const size = parseInt(raw.toString("latin1", at, eol).split(";")[0]!, 16);
    if (Number.isNaN(size)) throw new RequestParseError("a chunk size in the chunked body is not hexadecimal");
    if (size === 0) return Buffer.concat(parts);
    if (eol + 2 + size > raw.length) throw new RequestParseError("a chunk of the chunked body is cut short");
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}
