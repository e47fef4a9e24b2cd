import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import {
  parseHeaders,
  parseRate,
  parseSchedule,
  parseTimeout,
  toUpdateInput,
} from "../../src/commands/webhooks/endpoint-flags.js";
import { parseBatch } from "../../src/commands/webhooks/send.js";
import { matchesFilter, validateEventTypeName, validatePattern } from "../../src/services/webhooks/endpoint-input.js";

describe("webhooks flags", () => {
  it("parses retry schedules; the first attempt is immediate either way", () => {
    expect(parseSchedule("5s,5m,30m,2h,5h,10h,10h")).toEqual([
      0, 5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000,
    ]);
    expect(parseSchedule("0,5s")).toEqual([0, 5000]);
    for (const bad of ["", "5s,,5m", "soon", "5s,2 weeks", "8d"])
      expect(() => parseSchedule(bad), bad).toThrow(UsageError);
  });

  it("parses rates, timeouts and headers", () => {
    expect(parseRate("50/s")).toBe(50);
    expect(parseRate("50")).toBe(50);
    for (const bad of ["fast", "0/s", "1.5/s", "50/m"]) expect(() => parseRate(bad), bad).toThrow(UsageError);
    expect(parseTimeout("15s")).toBe(15000);
    expect(() => parseTimeout("10m")).toThrow(UsageError);
    expect(parseHeaders(["X-Team: billing", "Authorization:Bearer a:b"])).toEqual({
      "X-Team": "billing",
      Authorization: "Bearer a:b",
    });
    expect(parseHeaders([])).toBeNull();
    for (const bad of ["no-colon", ": v", "Bad Name: v", "webhook-signature: x", "Content-Type: text/plain"])
      expect(() => parseHeaders([bad]), bad).toThrow(UsageError);
  });

  it("refuses an update that changes nothing", () => {
    expect(() => toUpdateInput({ header: [] })).toThrow(/Nothing to change/);
    expect(
      toUpdateInput({ header: [], rateLimit: "none", retrySchedule: "default", allowPrivateNetwork: "false" }),
    ).toEqual({ rateLimitPerSecond: null, retryScheduleMs: null, allowPrivateNetwork: false });
  });

  it("matches event filters per segment", () => {
    expect(matchesFilter([], "anything.at.all")).toBe(true);
    expect(matchesFilter(["invoice.*"], "invoice.paid")).toBe(true);
    expect(matchesFilter(["invoice.*"], "invoice.paid.late")).toBe(false);
    expect(matchesFilter(["invoice.*"], "invoice")).toBe(false);
    expect(matchesFilter(["*.created", "order.paid"], "customer.created")).toBe(true);
    expect(matchesFilter(["customer.created"], "customer.deleted")).toBe(false);
    expect(() => validatePattern("Invoice.*")).toThrow(UsageError);
    expect(() => validatePattern("invoice.**")).toThrow(UsageError);
    // `*` is exactly one segment, as the --events help says; `**` alone (or no filter) is every type.
    expect(matchesFilter(["*"], "ping")).toBe(true);
    expect(matchesFilter(["*"], "invoice.paid")).toBe(false);
    expect(matchesFilter(["*"], "invoice.paid.late")).toBe(false);
    expect(matchesFilter(["*.*"], "invoice.paid")).toBe(true);
    expect(matchesFilter(["*.*"], "invoice.paid.late")).toBe(false);
    for (const type of ["ping", "invoice.paid", "invoice.paid.late"])
      expect(matchesFilter(["**"], type), type).toBe(true);
    expect(validatePattern("**")).toBe("**");
    expect(validatePattern("*")).toBe("*");
    for (const bad of ["**.paid", "***", "*.**", "invoice**"])
      expect(() => validatePattern(bad), bad).toThrow(UsageError);
    expect(validateEventTypeName("invoice.paid")).toBe("invoice.paid");
    for (const bad of ["Invoice.paid", "invoice..paid", "invoice.", "invoice paid", "a.*"])
      expect(() => validateEventTypeName(bad), bad).toThrow(UsageError);
  });

  it("reads NDJSON batches, naming the first bad line", () => {
    const ok = parseBatch('{"type":"a.b","data":{"x":1}}\n\n{"type":"a.c","data":null,"idempotencyKey":"k"}\n', false);
    expect(ok.events).toEqual([
      { line: 1, type: "a.b", data: { x: 1 }, rawData: '{"x":1}', idempotencyKey: null },
      { line: 3, type: "a.c", data: null, rawData: "null", idempotencyKey: "k" },
    ]);
    expect(() => parseBatch('{"type":"a.b","data":1}\n[1]\n', false)).toThrow(/line 2/);
    expect(() => parseBatch('{"type":"a.b"}', false)).toThrow(/line 1: "data" is missing/);
    expect(() => parseBatch("\n\n", false)).toThrow(/no events/);
  });

  it("keeps each batch line's data as written, and refuses a line that repeats a member", () => {
    const exact = '{"big": 9007199254740993, "neg": -0.0, "huge": 1e400, "nul": "\\u0000"}';
    const lines = [
      `{"type":"a.b","data":${exact}}`,
      `  { "data" :\t-0.0 , "type": "a.b" }\r`,
      `{"type":"a.b","d\\u0061ta":1e400,"note":"\\"data\\": 1"}`,
      `{"idempotencyKey":"k","data":"\\u0000","type":"a.b"}`,
    ];
    const raw = parseBatch(lines.join("\n"), false).events.map((e) => e.rawData);
    expect(raw).toEqual([exact, "-0.0", "1e400", '"\\u0000"']);
    for (const key of ["data", "type", "idempotencyKey"]) {
      const line = `{"type":"a.b","data":1,"idempotencyKey":"k","${key}":${key === "data" ? "2" : '"x"'}}`;
      expect(() => parseBatch(`{"type":"a.b","data":1}\n${line}`, false), key).toThrow(
        new RegExp(`line 2: "${key}" is given more than once; nothing was sent`),
      );
    }
    // An escaped key is the same key.
    expect(() => parseBatch('{"type":"a.b","data":1,"d\\u0061ta":2}', false)).toThrow(/"data" is given more than once/);
    // A "data" inside the data is not the line's.
    expect(parseBatch('{"type":"a.b","data":{"data":1,"x":{"data":2}}}', false).events[0]!.rawData).toBe(
      '{"data":1,"x":{"data":2}}',
    );
  });
});
