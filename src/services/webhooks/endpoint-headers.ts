import { typed } from "../../db/kysely.js";
import { endpointHeadersColumn, storedHeaderColumns } from "../../db/queries/webhook-endpoint.js";
import type { SqlClient } from "../../db/sql.js";
import { decrypt, encrypt, type MasterKey } from "../../lib/crypto.js";
import type { ServiceContext } from "../context.js";
import { requireKey, requireMasterKeys, type MasterKeyRing } from "../secrets/master-key.js";
import { scrubAttemptHeaders } from "./endpoint-headers-scrub.js";

// An endpoint's extra headers at rest (the `headers` Json column). They often carry the
// receiver's credential (`Authorization: Bearer …`), so their values are sealed like a signing
// secret: AES-256-GCM under the master key ring, bound to the endpoint and to this purpose, so
// the envelope cannot be moved to another endpoint nor taken for a signing secret. The names stay
// readable, so views and the audit log can say which headers are sent without decrypting.
//
//   { "names": ["Authorization", "X-Team"], "sealed": "v1.<keyId>.…" }   sealed JSON of every pair
//   { "Authorization": "Bearer …" }                                      older rows: still read,
//                                                                        sealed on the next write
// Every value shown anywhere is REDACTED_VALUE; only the worker, health pings and an explicit
// `export --with-endpoint-headers` open the envelope.

export const REDACTED_VALUE = "[redacted]";

export interface SealedHeaders {
  names: string[];
  sealed: string;
}

export const headersSlot = (endpointId: string) => `${endpointId}:headers`;

/** The sealed form (a plaintext header value never reaches a row), or null for no headers. */
type Stored = SealedHeaders | Record<string, string> | null;

type Headers = Record<string, string>;

export function sealHeaders(key: MasterKey, endpointId: string, headers: Headers | null): SealedHeaders | null {
  if (!headers || Object.keys(headers).length === 0) return null;
  return { names: Object.keys(headers), sealed: encrypt(key, JSON.stringify(headers), headersSlot(endpointId)) };
}

/** The column's value as read through the typed layer (parsed JSON): sealed, an older plaintext object, or null. */
export function storedHeaders(value: unknown): Stored {
  return value === null || value === undefined ? null : (value as Stored);
}

export function isSealed(stored: unknown): stored is SealedHeaders {
  // An older plaintext row holds only string values, so an array `names` marks the sealed form.
  const s = stored as Partial<SealedHeaders> | null;
  return !!s && Array.isArray(s.names) && typeof s.sealed === "string";
}

export function headerNames(stored: Stored): string[] {
  if (!stored) return [];
  return isSealed(stored) ? stored.names : Object.keys(stored);
}

/** What every view shows: the names, each value replaced. */
export function redactHeaders(stored: Stored): Record<string, string> | null {
  const names = headerNames(stored);
  return names.length ? Object.fromEntries(names.map((n) => [n, REDACTED_VALUE])) : null;
}

/** The real headers to send. An older plaintext row needs no key. */
export function openHeaders(ring: MasterKeyRing | null, endpointId: string, stored: Stored): Record<string, string> {
  if (!stored) return {};
  if (!isSealed(stored)) return { ...stored };
  const label = `The headers of webhook endpoint ${endpointId}`;
  if (!ring) throw new Error(`${label} are sealed: a master key ring is needed to open them`);
  const plaintext = decrypt((id) => requireKey(ring, id, label), stored.sealed, headersSlot(endpointId), label);
  return JSON.parse(plaintext) as Record<string, string>;
}

/** One endpoint's real headers, read and opened now (health pings, export): the ring is loaded only when sealed. */
export async function endpointHeaders(ctx: ServiceContext, endpointId: string): Promise<Record<string, string>> {
  const stored = await readStored(ctx.sql, endpointId);
  return openHeaders(isSealed(stored) ? await requireMasterKeys(ctx) : null, endpointId, stored);
}

/** One endpoint's header names, each value redacted; no key needed. */
export async function redactedEndpointHeaders(ctx: { sql: SqlClient }, endpointId: string): Promise<Headers> {
  return redactHeaders(await readStored(ctx.sql, endpointId)) ?? {};
}

async function readStored(sql: SqlClient, endpointId: string): Promise<Stored> {
  return storedHeaders(await endpointHeadersColumn(typed(sql), endpointId));
}

/** The master key id of a sealed value; null for none or an older plaintext row. */
export function headersKeyId(stored: unknown): string | null {
  // Read off the envelope's text, like the signing secrets' SUBSTR: counting must not fail on a damaged row.
  return isSealed(stored) ? (/^v1\.([0-9a-f]{16})\./.exec(stored.sealed)?.[1] ?? null) : null;
}

/** Sealed header sets per master key id (for `secrets status` and the rotation's progress). */
export async function countHeaderKeys(sql: SqlClient): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const r of await storedHeaderColumns(typed(sql))) {
    const id = headersKeyId(storedHeaders(r.headers));
    if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/**
 * What an update writes to the column: the new headers sealed; or, when none are given, an older
 * plaintext row's headers sealed now (any write seals them); undefined leaves the column alone.
 * Sealing a plaintext row also redacts its values in the endpoint's earlier attempt records.
 */
export async function headersUpdate(
  tx: SqlClient,
  ring: MasterKeyRing | null,
  endpointId: string,
  given: Record<string, string> | null | undefined,
  current: unknown,
): Promise<SealedHeaders | null | undefined> {
  const stored = storedHeaders(current);
  const plaintext = stored !== null && !isSealed(stored) ? stored : undefined;
  if (given === undefined && plaintext === undefined) return undefined;
  // Plaintext that appeared after the caller looked (no ring loaded) waits for the next write.
  if (!ring) {
    if (given === undefined) return undefined;
    throw new Error(`sealing the headers of webhook endpoint ${endpointId} needs the master key ring`);
  }
  if (plaintext) await scrubAttemptHeaders(tx, endpointId, Object.keys(plaintext));
  return sealHeaders(ring.current, endpointId, given === undefined ? plaintext! : given);
}
