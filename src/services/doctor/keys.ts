import { ApiKeyStatus } from "../../db/generated/kysely/enums.js";
import { typed } from "../../db/kysely.js";
import { countKeysWhere, keysEndingFirst } from "../../db/queries/api-key.js";
import { keyFilter } from "../../db/queries/api-key-filter.js";
import { formatDuration } from "../../lib/duration.js";
import type { DoctorCheck } from "../../types/doctor.types.js";
import type { ServiceContext } from "../context.js";
import { few, pass, plural, warn } from "./finding.js";

// The keys, by the same conditions as `keys list --status … --expiring-within …`: counted, and the
// soonest few named, through the (status, expiresAt) index; never every key read.

const SHOWN = 3;
const at = (d: Date | null) => d?.toISOString() ?? "never";

/** Active keys that expire within the window: rotate them before their callers break. */
export async function checkExpiringKeys(ctx: ServiceContext, withinMs: number): Promise<DoctorCheck> {
  const now = ctx.now();
  const expiresBefore = new Date(now.getTime() + withinMs).toISOString();
  const where = keyFilter({ status: [ApiKeyStatus.ACTIVE], expiresBefore }, now);
  const db = typed(ctx.sql);
  const n = await countKeysWhere(db, where);
  const within = formatDuration(withinMs);
  if (n === 0) return pass("keys-expiring", `no active key expires within ${within}`);
  const soonest = await keysEndingFirst(db, where, "expiresAt", SHOWN);
  const named = soonest.map((k) => `${k.id} (${k.name}) at ${at(k.expiresAt)}`);
  const fix = n === 1 ? `keys rotate ${soonest[0]!.id}` : `keys list --expiring-within ${within}`;
  return warn(
    "keys-expiring",
    `${plural(n, "active key")} ${n === 1 ? "expires" : "expire"} within ${within}: ${few(named, n)}`,
    fix,
  );
}

/** Keys replaced by a rotation and still accepted until their grace ends: their callers must move. */
export async function checkRotations(ctx: ServiceContext): Promise<DoctorCheck> {
  const now = ctx.now();
  const where = keyFilter({ status: [ApiKeyStatus.ROTATING] }, now);
  const db = typed(ctx.sql);
  const n = await countKeysWhere(db, where);
  if (n === 0) return pass("key-rotations", "no rotation is in its grace period");
  const first = await keysEndingFirst(db, where, "graceEndsAt", SHOWN);
  const named = first.map((k) => `${k.id} (${k.name}) until ${at(k.graceEndsAt)}`);
  const reason = `${plural(n, "rotated key")} still accepted in grace: ${few(named, n)}`;
  return warn("key-rotations", reason, "keys list --status rotating");
}
