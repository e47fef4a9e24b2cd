import { type Expression, expressionBuilder, type SqlBool } from "kysely";
import type { ApiKeyFilter } from "../../types/integration/api.types.js";
import { ApiKeyStatus } from "../generated/kysely/enums.js";
import type { ApiKey, DB } from "../generated/kysely/types.js";

// The condition `keys list`, `keys revoke --where`, `keys expire` and `keys metrics` select keys
// by, over the alias `k`: the statements that use it (api-key.ts, api-key-scope-grant.ts) read
// ApiKey as `k`.

type KeyScope = DB & { k: ApiKey };
const { ACTIVE, ROTATING, EXPIRED, REVOKED } = ApiKeyStatus;

/** One effective status (effectiveStatus in services/keys): the stored status, corrected by the clock. */
function statusIs(status: ApiKeyStatus, now: Date): Expression<SqlBool> {
  const eb = expressionBuilder<KeyScope, "k">();
  const live = eb.or([eb("k.expiresAt", "is", null), eb("k.expiresAt", ">", now)]);
  switch (status) {
    case ACTIVE:
      return eb.and([eb("k.status", "=", ACTIVE), live]);
    case ROTATING: {
      const inGrace = eb.or([eb("k.graceEndsAt", "is", null), eb("k.graceEndsAt", ">", now)]);
      return eb.and([eb("k.status", "=", ROTATING), live, inGrace]);
    }
    case EXPIRED: {
      const graceOver = eb.and([eb("k.status", "=", ROTATING), eb("k.graceEndsAt", "<=", now)]);
      const pastExpiry = eb.or([eb("k.expiresAt", "<=", now), graceOver]);
      const lapsed = eb.and([eb("k.status", "in", [ACTIVE, ROTATING]), pastExpiry]);
      return eb.or([eb("k.status", "=", EXPIRED), lapsed]);
    }
    case REVOKED:
      return eb("k.status", "=", REVOKED);
  }
}

/**
 * The keys a filter describes, all of it ANDed. `statusNot` also leaves out the keys whose stored
 * status is that one (what `keys expire` or `keys revoke` would change).
 */
export function keyFilter(filter: ApiKeyFilter, now: Date, statusNot?: ApiKeyStatus): Expression<SqlBool> {
  const eb = expressionBuilder<KeyScope, "k">();
  const parts: Expression<SqlBool>[] = [];
  if (filter.status?.length) parts.push(eb.or(filter.status.map((s) => statusIs(s, now))));
  for (const scope of filter.scopes ?? []) {
    const grant = eb.selectFrom("ApiKeyScopeGrant as g").select("g.scope").whereRef("g.apiKeyId", "=", "k.id");
    parts.push(eb.exists(grant.where("g.scope", "=", scope)));
  }
  if (filter.environment) parts.push(eb("k.environment", "=", filter.environment));
  if (filter.ownerId) parts.push(eb("k.ownerId", "=", filter.ownerId));
  if (filter.expiresBefore) {
    const before = new Date(filter.expiresBefore);
    parts.push(eb.and([eb("k.expiresAt", "is not", null), eb("k.expiresAt", "<=", before)]));
  }
  // Never used counts from creation: a key made yesterday is not "unused for 90 days".
  if (filter.notUsedSince) {
    parts.push(eb(eb.fn.coalesce("k.lastUsedAt", "k.createdAt"), "<=", new Date(filter.notUsedSince)));
  }
  if (statusNot) parts.push(eb("k.status", "<>", statusNot));
  return eb.and(parts);
}
