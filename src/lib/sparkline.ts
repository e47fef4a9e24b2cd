// A terminal chart in one line per series: one block character per bucket, scaled to the largest
// value, so delivered and failed can be read side by side. Zero is a dot, not the lowest bar, so an
// empty bucket never looks like a small one.

const BARS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

export function sparkline(values: readonly number[], max = Math.max(0, ...values)): string {
  return values
    .map((v) => (v <= 0 || max <= 0 ? "·" : BARS[Math.min(BARS.length - 1, Math.ceil((v / max) * BARS.length) - 1)]!))
    .join("");
}
