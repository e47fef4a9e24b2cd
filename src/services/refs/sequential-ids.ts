import { newId, type IdKind } from "../../lib/ids.js";

// Ids that increase within a millisecond too (ULID's monotonic mode): references imported in one
// batch list in the file's order, and a history linked and updated in one millisecond stays in
// order. Incrementing the last id is also cheaper than drawing 80 random bits for each.
const BASE32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const last = new Map<IdKind, { ms: number; id: string }>();

export function sequentialIds(kind: IdKind, now: Date, count: number): string[] {
  const ms = now.getTime();
  const out: string[] = new Array(count);
  let prev = last.get(kind);
  for (let n = 0; n < count; n++) {
    const id = prev && prev.ms === ms ? increment(prev.id) : newId(kind, now);
    out[n] = id;
    prev = { ms, id };
  }
  if (prev) last.set(kind, prev);
  return out;
}

function increment(id: string): string {
  const at = BASE32.indexOf(id[id.length - 1]!);
  if (at < 31) return id.slice(0, -1) + BASE32[at + 1]; // nearly always: no carry
  const chars = id.split("");
  for (let i = chars.length - 1; chars[i] !== "_"; i--) {
    const next = BASE32.indexOf(chars[i]!) + 1;
    chars[i] = BASE32[next % 32]!;
    if (next < 32) break;
  }
  return chars.join("");
}
