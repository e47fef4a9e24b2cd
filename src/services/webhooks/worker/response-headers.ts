// A response's headers as an attempt records them: one string per name, names lower-cased, a
// repeated header's values joined by ", ". (Matching names against undici's internal table of
// well-known names was ~0.75 µs a response faster, nothing measurable for a whole worker, and tied
// the worker to a private file of undici's.)

type RawHeaders = readonly (Buffer | string | Buffer[])[];

/** Raw response headers as one string each, names lower-cased; a repeated header's values joined by ", ". */
export function headerRecord(raw: RawHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = String(raw[i]).toLowerCase();
    const v = raw[i + 1]!;
    const value = Array.isArray(v) ? v.map(String).join(", ") : String(v);
    out[name] = Object.hasOwn(out, name) ? `${out[name]}, ${value}` : value;
  }
  return out;
}
