import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_BUDGET, TransformPool } from "../../src/lib/transform-pool.js";
import { compileTransformation, TransformError } from "../../src/lib/webhook-transform.js";

// The pool on a real worker thread: an expression over its budget is stopped (the thread
// terminated when a single step never returns) and the next evaluation gets a fresh thread.

const input = JSON.stringify({ type: "a.b", data: { n: 2, s: `${"a".repeat(40)}!` } });
const pool = new TransformPool(DEFAULT_BUDGET);
afterAll(() => pool.close());

describe("transform pool", () => {
  it("evaluates expressions off the main thread, as plain JSON text", async () => {
    expect(await pool.evaluate("{'t': type, 'x': [data.n, data.n * 2]}", input)).toBe('{"t":"a.b","x":[2,4]}');
    expect(await pool.evaluate("data.missing", input)).toBeNull();
  });

  it("rejects a catastrophic regular expression over its budget, and recovers for the next call", async () => {
    // One native regex step that never returns: only terminating the thread stops it.
    await expect(pool.evaluate("$match(data.s, /^(a+)+$/)", input)).rejects.toMatchObject({
      message: "the transformation exceeded its 100 ms budget",
      limit: true,
    });
    expect(await pool.evaluate("data.n + 1", input)).toBe("3");
  }, 10_000);

  it("rejects a loop over its budget, runaway recursion and an oversized result, and keeps serving", async () => {
    const slow = "($x := [1..1000000]; $map([1..1000], function($i){ $sum($x) }))";
    await expect(pool.evaluate(slow, input)).rejects.toThrow(/exceeded its 100 ms budget/);
    // A tail call is a loop to jsonata (its budget); any other recursion grows the depth.
    const tail = "($f := function($n){ $f($n + 1) }; $f(0))";
    await expect(pool.evaluate(tail, input)).rejects.toThrow(/exceeded its 100 ms budget/);
    await expect(pool.evaluate("($f := function($n){ 1 + $f($n + 1) }; $f(0))", input)).rejects.toMatchObject({
      message: expect.stringMatching(/nested deeper than 500 levels/),
      limit: true,
    });
    await expect(pool.evaluate("$pad('', 2000000, 'x')", input)).rejects.toThrow(/over the 1000000 byte limit/);
    expect(await pool.evaluate("type", input)).toBe('"a.b"');
  }, 20_000);

  it("queues calls one at a time; an overrun fails only its own call", async () => {
    const results = await Promise.allSettled([
      pool.evaluate("data.n", input),
      pool.evaluate("$match(data.s, /^(a+)+$/)", input),
      pool.evaluate("data.n * 10", input),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[2] as PromiseFulfilledResult<string>).value).toBe("20");
  }, 10_000);

  it("webhook transformations say the budget was exceeded, not that the expression failed", async () => {
    const t = await compileTransformation({ kind: "jsonata", expression: "$match(data.s, /^(a+)+$/)" }, pool);
    const error = await t(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransformError);
    expect((error as Error).message).toBe("the transformation exceeded its 100 ms budget");
  }, 10_000);
});
