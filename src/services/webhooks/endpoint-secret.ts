import { typed } from "../../db/kysely.js";
import { endpointSecretColumns, type SecretColumns } from "../../db/queries/webhook-endpoint.js";
import type { SqlClient } from "../../db/sql.js";
import { decrypt, encrypt, type MasterKey } from "../../lib/crypto.js";
import type { ServiceContext } from "../context.js";
import { requireKey, requireMasterKeys, type MasterKeyRing } from "../secrets/master-key.js";
import { checkConfig } from "../integrity/config.js";
import { findEndpointRow } from "./endpoint-rows.js";

// An endpoint's signing secrets at rest: AES-256-GCM under the master key ring, like every
// credential. Each ciphertext is bound to its endpoint and to its slot, so neither can be moved
// to another endpoint, nor a retired secret swapped with the current one or with each other.

export const currentSlot = (endpointId: string) => endpointId;
/** The secret rotated out last, signing until previousSecretExpiresAt. */
export const previousSlot = (endpointId: string) => `${endpointId}#previous`;
/** The one rotated out before it, signing until olderSecretExpiresAt: its own promise, not the previous one's. */
export const olderSlot = (endpointId: string) => `${endpointId}#older`;

/** Retired secrets an endpoint keeps at most: with the current one, three signatures per delivery. */
export const RETIRED_MAX = 2;

export function sealSecret(key: MasterKey, secret: string, slot: string): string {
  return encrypt(key, secret, slot);
}

export function openSecret(ring: MasterKeyRing, envelope: string, slot: string): string {
  const label = `The signing secret of webhook endpoint ${slot}`;
  return decrypt((id) => requireKey(ring, id, label), envelope, slot, label);
}

/** A secret that signs, and the end of its grace (null for the current secret). */
export interface SigningKey {
  secret: string;
  until: Date | null;
}

export type { SecretColumns } from "../../db/queries/webhook-endpoint.js";

/** The ciphertexts with their ends, read in one statement so a concurrent rotation cannot pair them wrongly. */
export async function readSecretColumns(sql: SqlClient, endpointId: string): Promise<SecretColumns | undefined> {
  return endpointSecretColumns(typed(sql), endpointId);
}

/** The retired secrets still inside their own grace at `now`, newest first, opened. */
export function liveRetired(ring: MasterKeyRing, row: SecretColumns, endpointId: string, now: Date): SigningKey[] {
  const slots: [string | null, Date | null, string][] = [
    [row.previousSecretCiphertext, row.previousSecretExpiresAt, previousSlot(endpointId)],
    [row.olderSecretCiphertext, row.olderSecretExpiresAt, olderSlot(endpointId)],
  ];
  const live: SigningKey[] = [];
  for (const [envelope, until, slot] of slots) {
    if (envelope && until && until > now) live.push({ secret: openSecret(ring, envelope, slot), until });
  }
  return live;
}

/**
 * The secrets that sign a delivery now, each with its end: the current one, then every retired one
 * whose own grace lasts (the worker sends a signature for each). For the worker, which keeps them
 * a few seconds and drops each at its end.
 */
export async function signingKeys(ctx: ServiceContext, endpointId: string): Promise<SigningKey[]> {
  const row = await findEndpointRow(ctx.sql, endpointId);
  // Whoever gets the secrets sends to the URL: a URL changed outside intg is refused first.
  await checkConfig(ctx, [["WebhookEndpoint", row]]);
  const ciphers = await readSecretColumns(ctx.sql, row.id);
  const ring = await requireMasterKeys(ctx);
  const current = openSecret(ring, ciphers!.secretCiphertext, currentSlot(row.id));
  return [{ secret: current, until: null }, ...liveRetired(ring, ciphers!, row.id, ctx.now())];
}

/** The secrets that sign a delivery now, current first. For export, health pings and tests. */
export async function signingSecrets(ctx: ServiceContext, endpointId: string): Promise<string[]> {
  return (await signingKeys(ctx, endpointId)).map((k) => k.secret);
}
