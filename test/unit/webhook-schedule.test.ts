import { describe, expect, it } from "vitest";
import { outcomeOf, parseRetryAfter } from "../../src/services/webhooks/worker/schedule.js";
import { staleReason } from "../../src/services/webhooks/worker/record.js";
import { runCli } from "../helpers/io.js";

const now = new Date("2026-01-15T12:00:00.000Z");
const schedule = [0, 10_000, 20_000];
const result = (statusCode: number | null, retryAfter: string | null = null, timedOut = false) => ({
  statusCode,
  retryAfter,
  timedOut,
});
const waitOf = (o: ReturnType<typeof outcomeOf>) => (o.kind === "retry" ? o.at.getTime() - now.getTime() : o.kind);

describe("retry rules", () => {
  it("treats any 2xx as delivered, 3xx and 5xx as failures to retry, 410 as gone", () => {
    expect(outcomeOf(result(204), 1, schedule, now).kind).toBe("delivered");
    expect(waitOf(outcomeOf(result(301), 1, schedule, now, () => 0.5))).toBe(10_000);
    expect(waitOf(outcomeOf(result(500), 2, schedule, now, () => 0.5))).toBe(20_000);
    expect(outcomeOf(result(410), 1, schedule, now).kind).toBe("gone");
    expect(outcomeOf(result(500), 3, schedule, now).kind).toBe("failed");
  });

  it("jitters by at most 20% either way", () => {
    expect(waitOf(outcomeOf(result(500), 1, schedule, now, () => 0))).toBe(8_000);
    expect(waitOf(outcomeOf(result(500), 1, schedule, now, () => 0.999999))).toBe(12_000);
  });

  it("waits a minute after overload answers and timeouts, and bounds Retry-After to [scheduled, 2x scheduled]", () => {
    for (const status of [429, 502, 503, 504])
      expect(waitOf(outcomeOf(result(status), 1, schedule, now, () => 0.5))).toBe(60_000);
    expect(waitOf(outcomeOf(result(null, null, true), 1, schedule, now, () => 0.5))).toBe(60_000);
    expect(waitOf(outcomeOf(result(429, "90"), 1, schedule, now, () => 0.5))).toBe(90_000);
    expect(waitOf(outcomeOf(result(500, "1"), 2, schedule, now, () => 0.5))).toBe(20_000);
    expect(waitOf(outcomeOf(result(500, "86400"), 2, schedule, now, () => 0.5))).toBe(40_000);
    expect(parseRetryAfter("Thu, 15 Jan 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });
});

describe("webhooks worker flags", () => {
  it.each([
    ["--concurrency", "0"],
    ["--lease", "10ms"],
    ["--max-time", "forever"],
  ])("rejects %s %s with exit 2 before opening the database", async (flag, value) => {
    const r = await runCli(["webhooks", "worker", "--once", flag, value]);
    expect(r.code).toBe(2);
    expect(r.deps.opened).toEqual([]);
  });
});

describe("the auto-disable reason", () => {
  it("states the real duration and the limit, never rounded to 0 h", () => {
    expect(staleReason(6 * 86_400_000 + 3_600_000 + 999, 5 * 86_400_000)).toBe(
      "no successful delivery for 6d1h (limit 5d)",
    );
    expect(staleReason(20 * 60_000, 15 * 60_000)).toBe("no successful delivery for 20m (limit 15m)");
    expect(staleReason(750, 500)).toBe("no successful delivery for 750ms (limit 500ms)");
  });
});
