import { closeSync, openSync, readSync } from "node:fs";
import { cryptoLoaded, nodeCrypto } from "./lazy-builtins.js";

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
  connectionEvent: "cev",
  syncJob: "sync",
  mapping: "map",
  reference: "ref",
  shareLink: "shl",
  worker: "wkr",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export function newId(kind: IdKind, now: Date = new Date()): string {
  return `${ID_PREFIXES[kind]}_${ulid(now.getTime())}`;
}

const POOL_BYTES = 4096;
let pool: Buffer = Buffer.alloc(0);
let poolAt = 0;

export function ulid(ms: number): string {
  let time = "";
  for (let i = 0, t = ms; i < 10; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time;
  // Drawn from a pooled buffer: one randomBytes call per id costs more than the rest of the id
  // when the delivery worker makes thousands a second.
  if (poolAt + 10 > pool.length) {
    pool = pool.length === 0 && !cryptoLoaded() ? firstPool() : nodeCrypto().randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  // 80 bits = 16 base32 characters of 5 bits each: two 40-bit halves of 8 characters, exact as doubles.
  const hi = pool.readUIntBE(poolAt, 5);
  const lo = pool.readUIntBE(poolAt + 5, 5);
  poolAt += 10;
  let high = "";
  let low = "";
  for (let i = 0, h = hi, l = lo; i < 8; i++, h = Math.floor(h / 32), l = Math.floor(l / 32)) {
    high = ALPHABET[h % 32] + high;
    low = ALPHABET[l % 32] + low;
  }
  return time + high + low;
}

/** The kind an id names, or undefined when it has no known prefix. */
export function idKind(id: string): IdKind | undefined {
  const prefix = id.slice(0, id.indexOf("_"));
  return (Object.keys(ID_PREFIXES) as IdKind[]).find((k) => ID_PREFIXES[k] === prefix);
}

/**
 * The first pool of a process that has not loaded node:crypto, read from the kernel's generator
 * (what Node's own is seeded from): a command that makes an id or two and exits (`keys verify`
 * records one verification) need not load node:crypto for it (~4 ms). Where there is no
 * /dev/urandom, from Node's.
 */
function firstPool(): Buffer {
  const bytes = Buffer.allocUnsafe(POOL_BYTES);
  try {
    const fd = openSync("/dev/urandom", "r");
    try {
      if (readSync(fd, bytes, 0, POOL_BYTES, null) === POOL_BYTES) return bytes;
    } finally {
      closeSync(fd);
    }
  } catch {
    // not a system with the device: Node's generator below
  }
  return nodeCrypto().randomBytes(POOL_BYTES);
}
