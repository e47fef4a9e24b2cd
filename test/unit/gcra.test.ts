import { describe, expect, it } from "vitest";
import { gcraSlots, heldBound, lateToleranceMs } from "../../src/services/webhooks/worker/claim-limited.js";

// The claim's rate-limit clock (claim-limited.ts): T = 1000/rate ms apart, a burst of one second's
// worth only from an idle clock, never a bucket that starts fuller than that.

describe("gcraSlots", () => {
  it("gives a fresh endpoint one second's burst now, then one slot per interval", () => {
    const s = gcraSlots(null, 10_000, 10, 1000, 100);
    expect(s.sendAt.slice(0, 10)).toEqual(Array(10).fill(10_000));
    expect(s.sendAt.slice(10)).toEqual([
      10_100, 10_200, 10_300, 10_400, 10_500, 10_600, 10_700, 10_800, 10_900, 11_000,
    ]);
    expect(s.tat).toBe(12_000);
  });

  it("continues from the clock another worker advanced: no second burst", () => {
    const first = gcraSlots(null, 10_000, 10, 1000, 100);
    const next = gcraSlots(first.tat, 10_150, 10, 1000, 100);
    expect(next.sendAt).toEqual([11_100]);
    expect(gcraSlots(first.tat, 10_050, 10, 1000, 100).sendAt).toEqual([]);
  });

  it("earns the burst back only by idling, at one slot per interval idled", () => {
    // The clock says 12,000; at 11,500 (tat - now = 500, tau = 900): (900 - 500) / 100 + 1 slots now.
    expect(gcraSlots(12_000, 11_500, 10, 0, 100).sendAt).toEqual(Array(5).fill(11_500));
    expect(gcraSlots(12_000, 20_000, 10, 0, 100).sendAt).toHaveLength(10);
  });

  it("stops at the limit asked for, and advances the clock only by the slots taken", () => {
    const s = gcraSlots(null, 0, 5, 1000, 3);
    expect(s.sendAt).toEqual([0, 0, 0]);
    expect(s.tat).toBe(600);
  });

  it("keeps any window of W ms within floor((W + tau) / T) + 1 slots", () => {
    const rate = 7;
    let tat: number | null = null;
    const sent: number[] = [];
    for (let now = 0; now < 5000; now += 37) {
      const s = gcraSlots(tat, now, rate, 250, 1000);
      if (s.sendAt.length) tat = s.tat;
      sent.push(...s.sendAt);
    }
    const T = 1000 / rate;
    const bound = Math.floor((1000 + (rate - 1) * T) / T) + 1;
    for (const start of sent)
      expect(sent.filter((t) => t >= start && t <= start + 1000).length).toBeLessThanOrEqual(bound);
  });

  it("lets a late delivery go within half an interval, never less than 20 ms", () => {
    expect(lateToleranceMs(10)).toBe(50);
    expect(lateToleranceMs(1000)).toBe(20);
  });

  it("holds a slow or untimed endpoint to its cap, and gives one whose lanes carry the rate its pipeline", () => {
    expect(heldBound(2, 20, null)).toBe(2); // no attempt yet
    expect(heldBound(2, 20, 1_000)).toBe(2); // 20 in flight needed, 2 allowed
    expect(heldBound(2, 20, 50)).toBe(2 + 6); // one in flight: 300 ms of the rate besides
  });
});
