import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_BUDGET, TransformPool } from "../../src/lib/transform-pool.js";
import { resolveTransformation } from "../../src/services/webhooks/endpoint-input.js";
import { sampleEnvelope, trySampleEvent } from "../../src/services/webhooks/transform-trial.js";

// The sample-event trial behind `endpoints create|update --transform`, on a real pool thread: over
// the budget is refused (exit 2); failing or yielding nothing on the sample only warns.

const pool = new TransformPool(DEFAULT_BUDGET);
afterAll(() => pool.close());
const now = new Date("2026-03-01T12:00:00.000Z");

describe("the --transform trial on a sample event", () => {
  it("is a realistic envelope: type, timestamp and small data with an id", () => {
    const sample = JSON.parse(sampleEnvelope(now)) as { type: string; timestamp: string; data: { id: string } };
    expect(Object.keys(sample)).toEqual(["type", "timestamp", "data"]);
    expect(sample).toMatchObject({ type: "example.event", timestamp: now.toISOString(), data: { id: "obj_example" } });
  });

  it("refuses an expression over the budget on the sample, whichever limit it goes over", async () => {
    const over = [
      ["($f := function($n){ $f($n + 1) }; $f(0))", /exceeded its 100 ms budget/],
      ["($f := function($n){ 1 + $f($n + 1) }; $f(0))", /nested deeper than 500 levels/],
      [`$match("${"a".repeat(40)}!", /^(a+)+$/)`, /exceeded its 100 ms budget/],
      ["$pad('', 2000000, 'x')", /over the 1000000 byte limit/],
    ] as const;
    for (const [expression, why] of over) {
      const warnings: string[] = [];
      const error = await trySampleEvent(expression, { now, pool, warn: (m) => warnings.push(m) }).catch((e) => e);
      expect(error, expression).toMatchObject({ kind: "usage", code: "TRANSFORMATION_OVER_BUDGET" });
      expect((error as Error).message).toMatch(why);
      expect((error as Error).message).toContain("on a sample event");
      expect(warnings).toEqual([]);
    }
  }, 20_000);

  it("keeps, with a warning, one that fails or yields nothing on the sample; a fine one is quiet", async () => {
    const warned = async (expression: string) => {
      const warnings: string[] = [];
      await trySampleEvent(expression, { now, pool, warn: (m) => warnings.push(m) });
      return warnings;
    };
    expect(await warned("$error('no refund')")).toEqual([expect.stringMatching(/failed on a sample event \(no re/)]);
    expect(await warned("data.refund.id")).toEqual([expect.stringMatching(/produced nothing for a sample event/)]);
    expect(await warned("{'id': data.id, 'cents': data.amount, 'who': data.customer.email}")).toEqual([]);
  }, 10_000);

  it("is what resolveTransformation runs when given a trial, and only then", async () => {
    const loop = { kind: "jsonata", expression: "($f := function($n){ $f($n + 1) }; $f(0))" } as const;
    await expect(resolveTransformation("HTTP", loop, { now, pool })).rejects.toMatchObject({ kind: "usage" });
    await expect(resolveTransformation("HTTP", loop)).resolves.toEqual(loop);
  }, 10_000);
});
