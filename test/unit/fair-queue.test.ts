import { describe, expect, it } from "vitest";
import { FairQueue } from "../../src/services/webhooks/worker/fair-queue.js";

const entry = (endpointId: string, n: number) => ({ item: { endpointId }, n });

describe("the worker's fair queue", () => {
  it("serves endpoints in turns, each in its own order", () => {
    const q = new FairQueue<ReturnType<typeof entry>>(() => 10);
    for (let i = 0; i < 4; i++) q.push(entry("slow", i));
    q.push(entry("fast", 0));
    q.push(entry("fast", 1));
    const order = Array.from({ length: 6 }, () => q.take()).map((e) => `${e?.item.endpointId}${e?.n}`);
    expect(order).toEqual(["slow0", "fast0", "slow1", "fast1", "slow2", "slow3"]);
    expect(q.take()).toBeUndefined();
  });

  it("never hands out more of an endpoint than its cap until one of its requests is done", () => {
    const q = new FairQueue<ReturnType<typeof entry>>((id) => (id === "slow" ? 2 : 100));
    for (let i = 0; i < 10; i++) q.push(entry("slow", i));
    expect(q.take()?.n).toBe(0);
    expect(q.take()?.n).toBe(1);
    expect(q.take()).toBeUndefined();
    expect(q.size).toBe(8);
    expect(q.sendable).toBe(0);
    q.push(entry("fast", 0));
    expect(q.sendable).toBe(1);
    expect(q.take()?.item.endpointId).toBe("fast");
    q.done("slow");
    expect(q.sendable).toBe(8);
    expect(q.take()?.n).toBe(2);
    expect(q.sendable).toBe(0);
  });

  it("puts a delivery at the front of its line, and drains everything queued", () => {
    const q = new FairQueue<ReturnType<typeof entry>>(() => 1);
    q.push(entry("a", 1));
    q.push(entry("a", 0), true);
    q.push(entry("b", 0));
    expect(q.take()?.n).toBe(0);
    expect(
      q
        .drain()
        .map((e) => `${e.item.endpointId}${e.n}`)
        .sort(),
    ).toEqual(["a1", "b0"]);
    expect([q.size, q.sendable]).toEqual([0, 0]);
  });

  it("reads a changed cap at the next change of the line", () => {
    let cap = 1;
    const q = new FairQueue<ReturnType<typeof entry>>(() => cap);
    q.push(entry("a", 0));
    q.push(entry("a", 1));
    q.take();
    expect(q.take()).toBeUndefined();
    cap = 2;
    q.push(entry("a", 2));
    expect(q.take()?.n).toBe(1);
  });
});
