import { identifyKey, hashKey, hashesEqual } from "../../lib/api-key.js";
import { newId } from "../../lib/ids.js";
import type { Db } from "../../db/kysely.js";
import { ensureCompiled, preparedDb } from "../../db/prepared-run.js";
import { findKeyByHash, recordKeyUse, scopesOfOneKey, VERIFY_STATEMENTS } from "../../db/queries/api-key-verify.js";
import { insertVerification, verificationInsert } from "../../db/queries/api-key-verification.js";
import type { ApiKeyScope, ApiKeyStatus } from "../../types/enums.js";
import type { ApiKeyVerificationOutcome, ApiKeyVerificationResult } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";
import { effectiveStatus } from "./status.js";

/**
 * Verifies keys and records their use. A verification is a lookup by the key's hash; what it
 * changes (last used, use count, counts by outcome, audit events for refusals) is buffered and
 * written by flush() in one transaction, so a burst of verifications costs one write, not one each.
 */
export class KeyVerifier {
  private readonly usage = new Map<
    string,
    { keyId: string | null; outcome: ApiKeyVerificationOutcome; count: number; lastAt: Date }
  >();
  // A key's scopes never change (rotation makes a new key), so they are read once per key and
  // kept; its status and expiry can change at any moment and are read on every verification.
  private readonly scopes = new Map<string, ApiKeyScope[]>();

  private readonly db: Db;
  private compiled = false;

  /** Its statements come compiled in the CLI; from source, Kysely compiles them (loaded only then). */
  private async compile(): Promise<void> {
    await ensureCompiled(this.ctx.sql.provider, [...VERIFY_STATEMENTS, verificationInsert]);
    this.compiled = true;
  }

  constructor(private readonly ctx: ServiceContext) {
    // Its statements run straight on the connection, as the build compiled them: no Kysely.
    this.db = preparedDb(ctx.sql);
  }

  async verify(key: string, requiredScope: ApiKeyScope | null = null): Promise<ApiKeyVerificationResult> {
    if (!this.compiled) await this.compile();
    const now = this.ctx.now();
    const hash = hashKey(key);
    const row = await findKeyByHash(this.db, hash);
    if (!row || !hashesEqual(row.hash, hash)) {
      // Only a miss needs the format check: every stored key was well-formed when issued.
      const id = identifyKey(key);
      if (!id.wellFormed)
        return this.result(
          now,
          null,
          "MALFORMED",
          null,
          [],
          requiredScope,
          null,
          `The key is malformed: ${id.reason}.`,
        );
      return this.result(now, null, "NOT_FOUND", null, [], requiredScope, null, "No such key.");
    }
    const expiresAt = row.expiresAt;
    const status = effectiveStatus(row.status, expiresAt, row.graceEndsAt, now);
    let scopes = this.scopes.get(row.id);
    if (!scopes) {
      scopes = (await scopesOfOneKey(this.db, row.id)).sort();
      this.scopes.set(row.id, scopes);
    }
    const expiry = expiresAt?.toISOString() ?? null;
    if (status === "REVOKED")
      return this.result(now, row.id, "REVOKED", status, scopes, requiredScope, expiry, "The key has been revoked.");
    if (status === "EXPIRED")
      return this.result(now, row.id, "EXPIRED", status, scopes, requiredScope, expiry, "The key has expired.");
    if (requiredScope && !scopes.includes(requiredScope) && !scopes.includes("ADMIN")) {
      return this.result(
        now,
        row.id,
        "INSUFFICIENT_SCOPE",
        status,
        scopes,
        requiredScope,
        expiry,
        `The key lacks the ${requiredScope} scope.`,
      );
    }
    return this.result(now, row.id, "VALID", status, scopes, requiredScope, expiry, null);
  }

  private result(
    now: Date,
    keyId: string | null,
    outcome: ApiKeyVerificationOutcome,
    status: ApiKeyStatus | null,
    scopes: ApiKeyScope[],
    requiredScope: ApiKeyScope | null,
    expiresAt: string | null,
    message: string | null,
  ): ApiKeyVerificationResult {
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
    if (!this.compiled) await this.compile();
    const batch = [...this.usage.values()];
    this.usage.clear();
    await this.ctx.sql.transaction(async (tx) => {
      const db = preparedDb(tx);
      for (const u of batch) {
        // Another process may have recorded a later use meanwhile: the latest is kept.
        if (u.outcome === "VALID") await recordKeyUse(db, u.keyId!, u.count, u.lastAt);
        const id = newId("verification", u.lastAt);
        const row = { id, apiKeyId: u.keyId, outcome: u.outcome, count: u.count, verifiedAt: u.lastAt };
        await insertVerification(db, row);
        if (u.outcome !== "VALID") {
          // Loaded for a failure only: the audit chain's code is a third of what `keys verify` would load.
          const { recordAudit } = await import("../audit/record.js");
          await recordAudit(
            { ...this.ctx, sql: tx },
            {
              action: "key.verify",
              targetType: "api_key",
              targetId: u.keyId,
              outcome: "failure",
              reason: u.outcome,
              metadata: { attempts: u.count },
            },
          );
        }
      }
    });
  }
}

export async function verifyKey(
  ctx: ServiceContext,
  input: { key: string; scope: ApiKeyScope | null },
): Promise<ApiKeyVerificationResult> {
  const verifier = new KeyVerifier(ctx);
  try {
    return await verifier.verify(input.key, input.scope);
  } finally {
    await verifier.flush();
  }
}
