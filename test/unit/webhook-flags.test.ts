import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/cli/errors.js";
import { parseHeaders, parseRate, parseSchedule, parseTimeout, toUpdateInput } from "../../src/commands/webhooks/endpoint-flags.js";
import { parseBatch } from "../../src/commands/webhooks/send.js";
import { matchesFilter, validateEventTypeName, validatePattern } from "../../src/services/webhooks/endpoint-input.js";

describe("webhooks flags", () => {
  it("parses retry schedules; the first attempt is immediate either way", () => {
    expect(parseSchedule("5s,5m,30m,2h,5h,10h,10h")).toEqual([0, 5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000]);
    expect(parseSchedule("0,5s")).toEqual([0, 5000]);
    for (const bad of ["", "5s,,5m", "soon", "5s,2 weeks", "8d"]) expect(() => parseSchedule(bad), bad).toThrow(UsageError);
  });

  it("parses rates, timeouts and headers", () => {
    expect(parseRate("50/s")).toBe(50);
    expect(parseRate("50")).toBe(50);
    for (const bad of ["fast", "0/s", "1.5/s", "50/m"]) expect(() => parseRate(bad), bad).toThrow(UsageError);
    expect(parseTimeout("15s")).toBe(15000);
    expect(() => parseTimeout("10m")).toThrow(UsageError);
    expect(parseHeaders(["X-Team: billing", "Authorization:Bearer a:b"])).toEqual({ "X-Team": "billing", Authorization: "Bearer a:b" });
    expect(parseHeaders([])).toBeNull();
    for (const bad of ["no-colon", ": v", "Bad Name: v", "webhook-signature: x", "Content-Type: text/plain"]) expect(() => parseHeaders([bad]), bad).toThrow(UsageError);
  });

  it("refuses an update that changes nothing", () => {
    expect(() => toUpdateInput({ header: [] })).toThrow(/Nothing to change/);
    expect(toUpdateInput({ header: [], rateLimit: "none", retrySchedule: "default", allowPrivateNetwork: "false" })).toEqual({ rateLimitPerSecond: null, retryScheduleMs: null, allowPrivateNetwork: false });
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
    for (const type of ["ping", "invoice.paid", "invoice.paid.late"]) expect(matchesFilter(["**"], type), type).toBe(true);
    expect(validatePattern("**")).toBe("**");
    expect(validatePattern("*")).toBe("*");
    for (const bad of ["**.paid", "***", "*.**", "invoice**"]) expect(() => validatePattern(bad), bad).toThrow(UsageError);
    expect(validateEventTypeName("invoice.paid")).toBe("invoice.paid");
    for (const bad of ["Invoice.paid", "invoice..paid", "invoice.", "invoice paid", "a.*"]) expect(() => validateEventTypeName(bad), bad).toThrow(UsageError);
  });

  it("reads NDJSON batches, naming the first bad line", () => {
    const ok = parseBatch('{"type":"a.b","data":{"x":1}}\n\n{"type":"a.c","data":null,"idempotencyKey":"k"}\n', false);
    expect(ok.events).toEqual([
      { line: 1, type: "a.b", data: { x: 1 }, idempotencyKey: null },
      { line: 3, type: "a.c", data: null, idempotencyKey: "k" },
    ]);
    expect(() => parseBatch('{"type":"a.b","data":1}\n[1]\n', false)).toThrow(/line 2/);
    expect(() => parseBatch('{"type":"a.b"}', false)).toThrow(/line 1: "data" is missing/);
    expect(() => parseBatch("\n\n", false)).toThrow(/no events/);
  });
});
