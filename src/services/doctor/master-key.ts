import { IntgError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { sampleSealedSecrets } from "../../db/queries/integration-secret.js";
import { endpointSecretsUnder } from "../../db/queries/webhook-endpoint.js";
import type { DoctorCheck } from "../../types/doctor.types.js";
import type { ServiceContext } from "../context.js";
import { findKey, loadMasterKeys, MASTER_KEY_ENV, type MasterKeyRing } from "../secrets/master-key.js";
import { opensOneRow } from "../secrets/sealing-check.js";
import { countByKey } from "../secrets/status.js";
import { fail, few, pass, plural, warn } from "./finding.js";

/**
 * The master key is at hand and opens what is sealed: every key id something is sealed under
 * (`secrets status`'s counts: secrets, connection credentials, endpoint secrets and headers) is in
 * the ring, and a sample under each really opens (the key-mismatch check's test), so a relabelled
 * or foreign key does not pass on its id alone.
 */
export async function checkMasterKey(ctx: ServiceContext): Promise<DoctorCheck> {
  const counts = await countByKey(ctx);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const ring = await ringOrNone(ctx);
  if (total === 0)
    return pass(
      "master-key",
      ring ? `${keyName(ring)}; nothing sealed yet` : "nothing sealed yet: no master key needed",
    );
  if (!ring)
    return fail("master-key", `no master key: ${plural(total, "secret")} cannot be opened`, "secrets status", true);
  const missing = [...counts.keys()].filter((id) => !findKey(ring, id));
  if (missing.length > 0) {
    const n = missing.reduce((sum, id) => sum + (counts.get(id) ?? 0), 0);
    const reason = `${plural(n, "secret")} under master key(s) ${few(missing)}, which ${keyName(ring)} does not hold`;
    return fail("master-key", reason, "secrets status", true);
  }
  for (const id of counts.keys()) {
    if (await opensOneRow(ctx, ring, [id])) continue;
    // Nothing of a kind the check can open may sit under this id (only headers, say): no sample.
    if (!(await hasSample(ctx, id))) continue;
    const reason = `master key ${id} does not open what is sealed under its id (another key, or altered rows)`;
    return fail("master-key", reason, "secrets status", true);
  }
  const notCurrent = [...counts].filter(([id]) => id !== ring.current.id).reduce((sum, [, n]) => sum + n, 0);
  if (notCurrent > 0)
    return warn(
      "master-key",
      `${plural(notCurrent, "secret")} not under the current master key ${ring.current.id} yet`,
      "secrets rotate-master-key",
    );
  return pass("master-key", `${keyName(ring)} opens a sample under each key id (${plural(total, "sealed value")})`);
}

async function ringOrNone(ctx: ServiceContext): Promise<MasterKeyRing | undefined> {
  try {
    return await loadMasterKeys(ctx, { create: false });
  } catch (error) {
    if (error instanceof IntgError && error.code === "MASTER_KEY_MISSING") return undefined;
    throw error;
  }
}

async function hasSample(ctx: ServiceContext, id: string): Promise<boolean> {
  const db = typed(ctx.sql);
  return (await sampleSealedSecrets(db, [id], 1)).length + (await endpointSecretsUnder(db, [id], 1)).length > 0;
}

const keyName = (ring: MasterKeyRing) =>
  `master key ${ring.current.id} (${ring.source === "env" ? MASTER_KEY_ENV : `key file ${ring.file}`})`;
