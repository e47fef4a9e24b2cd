import { describe, expect, it } from "vitest";
import { parseCapturedRequest, RequestParseError } from "../../src/lib/http-request-parse.js";

const parse = (text: string) => parseCapturedRequest(Buffer.from(text, "utf8"));

describe("parseCapturedRequest", () => {
  it("reads HTTP/1.1 text with CRLF, keeping the body's bytes", () => {
    const r = parse('POST /hook HTTP/1.1\r\nWebhook-Id: msg_1\r\nX-A: 1\r\nx-a: 2\r\n\r\n{"a": 1}\r\n\r\ntail');
    expect(r.headers).toEqual({ "webhook-id": "msg_1", "x-a": "1, 2" });
    expect(r.body.toString()).toBe('{"a": 1}\r\n\r\ntail');
  });

  it("reads LF text, headers without a request line, and an empty body", () => {
    expect(parse("webhook-id: msg_1\n\n{}").headers).toEqual({ "webhook-id": "msg_1" });
    expect(parse("POST / HTTP/1.1\nwebhook-id: x").body.length).toBe(0);
  });

  it("cuts the body at Content-Length (an editor's final newline is not the sender's)", () => {
    expect(parse("POST / HTTP/1.1\nContent-Length: 2\n\n{}\n").body.toString()).toBe("{}");
    expect(() => parse("POST / HTTP/1.1\nContent-Length: 20\n\n{}")).toThrow(/says 20 bytes but the body has 2/);
  });

  it("de-chunks a chunked body", () => {
    const r = parse(
      'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"a"\r\n3\r\n: 1\r\n1\r\n}\r\n0\r\n\r\n',
    );
    expect(r.body.toString()).toBe('{"a": 1}');
  });

  it("reads the JSON form; the body must be the raw string", () => {
    const r = parse(
      JSON.stringify({ headers: { "Webhook-Id": "msg_1", "X-N": 5, "X-L": ["a", "b"] }, body: '{"a": 1}' }),
    );
    expect(r.headers).toEqual({ "webhook-id": "msg_1", "x-n": "5", "x-l": "a, b" });
    expect(r.body.toString()).toBe('{"a": 1}');
    expect(() => parse(JSON.stringify({ headers: {}, body: { a: 1 } }))).toThrow(/raw body as a string/);
    expect(() => parse(JSON.stringify({ body: "" }))).toThrow(/no "headers" object/);
  });

  it.each([
    ["", /empty/],
    ["{not json", /does not parse/],
    ["hello world\n\nbody", /neither a request line/],
    ["POST / HTTP/1.1\nwebhook-id msg_1\n\n", /header line 2 is not "Name: value"/],
  ])("refuses %j", (text, message) => {
    expect(() => parse(text)).toThrow(RequestParseError);
    expect(() => parse(text)).toThrow(message);
  });
});
