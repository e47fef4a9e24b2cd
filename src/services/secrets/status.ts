import { IntgError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { integrityKeyMasterIds } from "../../db/queries/integrity-key.js";
import { countSecretsByMasterKey, secretMasterKeyIds } from "../../db/queries/integration-secret.js";
import { endpointSecretKeyCounts, endpointSecretMasterKeyIds } from "../../db/queries/webhook-endpoint.js";
import type { SecretsStatus } from "../../types/secrets.types.js";
import type { ServiceContext } from "../context.js";
import { findKey, loadMasterKeys, type MasterKeyRing } from "./master-key.js";
import { countHeaderKeys } from "../webhooks/endpoint-headers.js";

/** Ciphertexts per master key id (secrets and endpoint signing secrets): the progress of a rotation, and what cannot be read. */
export async function countByKey(ctx: Pick<ServiceContext, "sql">): Promise<Map<string, number>> {
  const counts = await countSecretsByMasterKey(typed(ctx.sql));
  // Endpoint signing secrets are sealed under the same ring; their envelope names the key
  // (`v1.<keyId>.…`), so rotation progress is read from the ciphertext itself.
  for (const r of await endpointSecretKeyCounts(typed(ctx.sql))) {
    counts.set(r.masterKeyId, (counts.get(r.masterKeyId) ?? 0) + r.n);
  }
  for (const [id, n] of await countHeaderKeys(ctx.sql)) counts.set(id, (counts.get(id) ?? 0) + n); // endpoints' sealed headers
  return counts;
}

/**
 * Every master key id something stored is sealed under, in order: secrets, endpoints' signing
 * secrets and the integrity root, then endpoints' sealed headers.
 */
export async function sealedUnderKeyIds(ctx: Pick<ServiceContext, "sql">): Promise<string[]> {
  const db = typed(ctx.sql);
  // Webhook endpoint secrets are sealed under the ring too; their envelope names the key.
  const endpoints = await endpointSecretMasterKeyIds(db);
  const root = await integrityKeyMasterIds(db);
  const ids = new Set([...(await secretMasterKeyIds(db)), ...endpoints, ...root]);
  const sorted = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const id of (await countHeaderKeys(ctx.sql)).keys()) if (!sorted.includes(id)) sorted.push(id);
  return sorted;
}

/**
 * `secrets status`: how many secrets each master key holds, which key is current, and how many
 * are not under it yet. It reports even without a master key (counts need none); the command
 * turns the findings into an exit code.
 */
export async function secretsStatus(ctx: ServiceContext): Promise<SecretsStatus> {
  // Counted before the key file is read: a rotation names its new key in the file before it moves
  // any row there, so the ring read afterwards holds every key the counts can name.
  const counts = await countByKey(ctx);
  let ring: MasterKeyRing | undefined;
  try {
    ring = await loadMasterKeys(ctx, { create: false });
  } catch (error) {
    if (!(error instanceof IntgError && error.code === "MASTER_KEY_MISSING")) throw error;
  }
  const currentId = ring?.current.id ?? null;
  if (currentId && !counts.has(currentId)) counts.set(currentId, 0);
  const keys = [...counts]
    .map(([masterKeyId, secrets]) => ({
      masterKeyId,
      secrets,
      current: masterKeyId === currentId,
      available: ring ? findKey(ring, masterKeyId) !== undefined : false,
    }))
    .sort((a, b) => Number(b.current) - Number(a.current) || a.masterKeyId.localeCompare(b.masterKeyId));
  const total = keys.reduce((sum, k) => sum + k.secrets, 0);
  return {
    currentKeyId: currentId,
    keySource: ring?.source ?? null,
    keyFile: ring?.file ?? null,
    total,
    notUnderCurrent: keys.filter((k) => !k.current).reduce((sum, k) => sum + k.secrets, 0),
    unreadable: keys.filter((k) => !k.available).reduce((sum, k) => sum + k.secrets, 0),
    keys,
  };
}
