import { jsonOrNull, typed } from "../../db/kysely.js";
import { endpointHeadersToReseal, endpointsToReseal, updateEndpointRow } from "../../db/queries/webhook-endpoint.js";
import type { SqlClient } from "../../db/sql.js";
import type { MasterKey } from "../../lib/crypto.js";
import type { ServiceContext } from "../context.js";
import { requireKey, type MasterKeyRing } from "../secrets/master-key.js";
import { currentSlot, olderSlot, openSecret, previousSlot, sealSecret } from "./endpoint-secret.js";
import { headersKeyId, openHeaders, sealHeaders, storedHeaders } from "./endpoint-headers.js";
import { scrubAttemptHeaders } from "./endpoint-headers-scrub.js";

const keyOf = (envelope: string) => envelope.slice(3, 19);

/**
 * One batch of a master-key rotation over webhook endpoints: the endpoints whose current, previous
 * or older signing secret is not sealed under `target` yet, re-sealed in one transaction. The
 * envelope names its key, so the next batch (or the next run, after a crash) starts where this
 * one stopped. Returns how many ciphertexts moved; 0 means done. `moved` counts them per old key.
 */
export async function reencryptEndpointBatch(
  ctx: ServiceContext,
  ring: MasterKeyRing,
  target: MasterKey,
  size: number,
  moved: Map<string, number>,
): Promise<number> {
  const prefix = `v1.${target.id}.%`; // key ids are hex: nothing in them is a LIKE wildcard
  const withTarget: MasterKeyRing = {
    ...ring,
    previous: [ring.current, ...ring.previous].filter((k) => k.id !== target.id),
    current: target,
  };
  return ctx.sql.transaction(async (tx) => {
    const rows = await endpointsToReseal(typed(tx), prefix, size);
    let changed = 0;
    for (const row of rows) {
      const reseal = (envelope: string | null, slot: string): string | null => {
        if (envelope === null || keyOf(envelope) === target.id) return envelope;
        // Checked before decrypting, so a missing key is named rather than reported as tampering.
        requireKey(withTarget, keyOf(envelope), `The signing secret of webhook endpoint ${row.id}`);
        const sealed = sealSecret(target, openSecret(withTarget, envelope, slot), slot);
        moved.set(keyOf(envelope), (moved.get(keyOf(envelope)) ?? 0) + 1);
        changed++;
        return sealed;
      };
      const current = reseal(row.secretCiphertext, currentSlot(row.id));
      const previous = reseal(row.previousSecretCiphertext, previousSlot(row.id));
      const older = reseal(row.olderSecretCiphertext, olderSlot(row.id));
      // Re-encryption changes no secret: updatedAt describes the endpoint, not its envelope.
      const sealed = { secretCiphertext: current!, previousSecretCiphertext: previous, olderSecretCiphertext: older };
      await updateEndpointRow(typed(tx), row.id, sealed);
    }
    return changed + (await reencryptHeaders(tx, withTarget, target, prefix, size, moved));
  });
}

/**
 * The same for endpoints' sealed headers (read from the JSON column), and a one-time seal of an
 * older row's plaintext headers: after this no header value is in the database in the clear.
 */
async function reencryptHeaders(
  tx: SqlClient,
  ring: MasterKeyRing,
  target: MasterKey,
  prefix: string,
  size: number,
  moved: Map<string, number>,
): Promise<number> {
  const rows = await endpointHeadersToReseal(typed(tx), prefix, size);
  for (const row of rows) {
    const stored = storedHeaders(row.headers);
    const from = headersKeyId(stored);
    if (from) requireKey(ring, from, `The headers of webhook endpoint ${row.id}`);
    // A JSON null or an empty set becomes SQL NULL, so the row is not selected again.
    const resealed = sealHeaders(target, row.id, openHeaders(ring, row.id, stored));
    if (from) moved.set(from, (moved.get(from) ?? 0) + 1);
    else if (stored) await scrubAttemptHeaders(tx, row.id, Object.keys(stored)); // plaintext sealed now
    await updateEndpointRow(typed(tx), row.id, { headers: jsonOrNull(resealed) });
  }
  return rows.length;
}
