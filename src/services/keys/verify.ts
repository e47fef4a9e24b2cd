import { identifyKey, hashKey, hashesEqual } from "../../lib/api-key.js";
import { newId } from "../../lib/ids.js";
import { col } from "../../db/sql.js";
import type { ApiKeyScope, ApiKeyStatus } from "../../types/enums.js";
import type { ApiKeyVerificationOutcome, ApiKeyVerificationResult } from "../../types/integration/api.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { effectiveStatus, scopesOf } from "./views.js";

export const LOOKUP = `SELECT "id", "hash", "status", "expiresAt", "graceEndsAt" FROM "ApiKey" WHERE "hash" = ?`;

interface LookupRow { id: string; hash: string; status: ApiKeyStatus; expiresAt: unknown; graceEndsAt: unknown }

/**
 * Verifies keys and records their use. A verification is a lookup by the key's hash; what it
 * changes (last used, use count, counts by outcome, audit events for refusals) is buffered and
 * written by flush() in one transaction, so a burst of verifications costs one write, not one each.
 */
export class KeyVerifier {
  private readonly usage = new Map<string, { keyId: string | null; outcome: ApiKeyVerificationOutcome; count: number; lastAt: Date }>();
  // A key's scopes never change (rotation makes a new key), so they are read once per key and
  // kept; its status and expiry can change at any moment and are read on every verification.
  private readonly scopes = new Map<string, ApiKeyScope[]>();

  constructor(private readonly ctx: ServiceContext) {}

  async verify(key: string, requiredScope: ApiKeyScope | null = null): Promise<ApiKeyVerificationResult> {
    const now = this.ctx.now();
    const hash = hashKey(key);
    const row = await this.ctx.sql.get<LookupRow>(LOOKUP, [hash]);
    if (!row || !hashesEqual(row.hash, hash)) {
      // Only a miss needs the format check: every stored key was well-formed when issued.
      const id = identifyKey(key);
      if (!id.wellFormed) return this.result(now, null, "MALFORMED", null, [], requiredScope, null, `The key is malformed: ${id.reason}.`);
      return this.result(now, null, "NOT_FOUND", null, [], requiredScope, null, "No such key.");
    }
    const expiresAt = col.dateOrNull(row.expiresAt);
    const status = effectiveStatus(row.status, expiresAt, col.dateOrNull(row.graceEndsAt), now);
    let scopes = this.scopes.get(row.id);
    if (!scopes) this.scopes.set(row.id, (scopes = ((await scopesOf(this.ctx.sql, [row.id])).get(row.id) ?? []).sort()));
    const expiry = expiresAt?.toISOString() ?? null;
    if (status === "REVOKED") return this.result(now, row.id, "REVOKED", status, scopes, requiredScope, expiry, "The key has been revoked.");
    if (status === "EXPIRED") return this.result(now, row.id, "EXPIRED", status, scopes, requiredScope, expiry, "The key has expired.");
    if (requiredScope && !scopes.includes(requiredScope) && !scopes.includes("ADMIN")) {
      return this.result(now, row.id, "INSUFFICIENT_SCOPE", status, scopes, requiredScope, expiry, `The key lacks the ${requiredScope} scope.`);
    }
    return this.result(now, row.id, "VALID", status, scopes, requiredScope, expiry, null);
  }

  private result(now: Date, keyId: string | null, outcome: ApiKeyVerificationOutcome, status: ApiKeyStatus | null, scopes: ApiKeyScope[], requiredScope: ApiKeyScope | null, expiresAt: string | null, message: string | null): ApiKeyVerificationResult {
    const slot = `${keyId}\u0000${outcome}`;
    const u = this.usage.get(slot);
    if (u) {
      u.count++;
      u.lastAt = now;
    } else this.usage.set(slot, { keyId, outcome, count: 1, lastAt: now });
    return { valid: outcome === "VALID", outcome, keyId, status, scopes, requiredScope, expiresAt, message };
  }

  /** Writes the buffered usage. Call it before the process ends; nothing is lost between flushes. */
  async flush(): Promise<void> {
    if (this.usage.size === 0) return;
    const batch = [...this.usage.values()];
    this.usage.clear();
    await this.ctx.sql.transaction(async (tx) => {
      for (const u of batch) {
        if (u.outcome === "VALID") {
          // Another process may have recorded a later use meanwhile: keep the latest.
          await tx.run(
            `UPDATE "ApiKey" SET "useCount" = "useCount" + ?, "lastUsedAt" = CASE WHEN "lastUsedAt" IS NULL OR "lastUsedAt" < ? THEN ? ELSE "lastUsedAt" END WHERE "id" = ?`,
            [u.count, u.lastAt, u.lastAt, u.keyId],
          );
        }
        await tx.run(`INSERT INTO "ApiKeyVerification" ("id","apiKeyId","outcome","count","verifiedAt") VALUES (?,?,?,?,?)`, [newId("verification", u.lastAt), u.keyId, u.outcome, u.count, u.lastAt]);
        if (u.outcome !== "VALID") {
          await recordAudit({ ...this.ctx, sql: tx }, { action: "key.verify", targetType: "api_key", targetId: u.keyId, outcome: "failure", reason: u.outcome, metadata: { attempts: u.count } });
        }
      }
    });
  }
}

export async function verifyKey(ctx: ServiceContext, input: { key: string; scope: ApiKeyScope | null }): Promise<ApiKeyVerificationResult> {
  const verifier = new KeyVerifier(ctx);
  try {
    return await verifier.verify(input.key, input.scope);
  } finally {
    await verifier.flush();
  }
}
