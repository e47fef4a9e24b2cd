import { nodeCrypto } from "./lazy-builtins.js";

// Prefixed, time-sortable ids (`key_01J…`): a person tells a key from an endpoint at a glance,
// and sorting by id sorts by creation. The body is a ULID: 48 bits of milliseconds and 80 random
// bits in Crockford base32, so ids made in the same millisecond still never collide in practice.
export const ID_PREFIXES = {
  apiKey: "key",
  verification: "kvr",
  secret: "sec",
  audit: "aud",
  request: "req",
  webhook: "wh",
  endpoint: "ep",
  event: "evt",
  delivery: "dlv",
  attempt: "atm",
  provider: "prov",
  connection: "conn",
  healthCheck: "hc",
  syncJob: "sync",
  mapping: "map",
  reference: "ref",
  shareLink: "shl",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export function newId(kind: IdKind, now: Date = new Date()): string {
  return `${ID_PREFIXES[kind]}_${ulid(now.getTime())}`;
}

export function ulid(ms: number): string {
  let time = "";
  for (let i = 0, t = ms; i < 10; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time;
  const bytes = nodeCrypto().randomBytes(10);
  let random = "";
  // 80 bits = 16 base32 characters of 5 bits each.
  let acc = 0n;
  for (const b of bytes) acc = (acc << 8n) | BigInt(b);
  for (let i = 0; i < 16; i++, acc >>= 5n) random = ALPHABET[Number(acc & 31n)] + random;
  return time + random;
}

/** The kind an id names, or undefined when it has no known prefix. */
export function idKind(id: string): IdKind | undefined {
  const prefix = id.slice(0, id.indexOf("_"));
  return (Object.keys(ID_PREFIXES) as IdKind[]).find((k) => ID_PREFIXES[k] === prefix);
}
