import { CredentialError, IntgError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { countKeyedAuditEvents } from "../../db/queries/audit-event.js";
import { countSealedConnections } from "../../db/queries/integration-connection.js";
import { countSealedProviders } from "../../db/queries/integration-provider.js";
import { countMacedEndpoints } from "../../db/queries/webhook-endpoint.js";
import { insertIntegrityKey, integrityKeyById } from "../../db/queries/integrity-key.js";
import { decrypt, encrypt } from "../../lib/crypto.js";
import { newId } from "../../lib/ids.js";
import { nodeCrypto } from "../../lib/lazy-builtins.js";
import { appendEvent, lockChain, lastEvent } from "../audit/chain.js";
import { headFilePath, readHeadFile } from "../audit/head-file.js";
import type { ServiceContext } from "../context.js";
import { findKey, loadMasterKeys, requireKey, type MasterKeyRing } from "../secrets/master-key.js";
import { opensOneRow } from "../secrets/sealing-check.js";
import { countByKey } from "../secrets/status.js";
import { sealUnsealedRows } from "./config-mac.js";

// The integrity root (DESIGN §6): 32 random bytes, sealed under the master key in the one
// IntegrityKey row, re-encrypted by a master-key rotation like any secret. Keys derived from it
// (HKDF-SHA256, one label each) MAC the audit chain and the security-relevant configuration.
// A stored root rather than a key derived from the master key itself keeps every MAC, and the
// audit head operators store, valid across master-key rotations.
//
// The sealed value also names `keyedFromSeq`, the event where the chain became keyed: a database
// writer who rewrites the chain unkeyed, or empties it, cannot hide that event's absence.

export const ROOT_ID = "root";
/** The associated data that binds the root's envelope to its purpose (reencrypt.ts opens it too). */
export const ROOT_CONTEXT = "integrity-root";
/** What the integrity and audit functions need: the worker's store thread has no whole Database. */
export type ServicesCtx = Pick<ServiceContext, "sql" | "env" | "now" | "actor"> & {
  db: Pick<ServiceContext["db"], "target">;
};

export interface IntegrityKeys {
  audit: Buffer;
  config: Buffer;
  keyedFromSeq: number;
}

/** none: the database was never keyed; locked: it is, but no master key is at hand. */
export type IntegrityState = { kind: "none" } | { kind: "locked" } | { kind: "open"; keys: IntegrityKeys };

function derive(root: Buffer, label: string): Buffer {
  return Buffer.from(nodeCrypto().hkdfSync("sha256", root, Buffer.alloc(0), `intg ${label} v1`, 32));
}

function keysOf(root: Buffer, keyedFromSeq: number): IntegrityKeys {
  return { audit: derive(root, "audit chain"), config: derive(root, "config mac"), keyedFromSeq };
}

/** The master keys, or undefined when this database has none configured (not the embedded one). */
export async function ringIfAny(ctx: ServicesCtx, create: boolean): Promise<MasterKeyRing | undefined> {
  try {
    return await loadMasterKeys(ctx as ServiceContext, { create });
  } catch (error) {
    if (error instanceof IntgError && error.code === "MASTER_KEY_MISSING") return undefined;
    throw error;
  }
}

async function readRoot(ctx: ServicesCtx): Promise<{ id: string; ciphertext: string } | undefined> {
  return integrityKeyById(typed(ctx.sql), ROOT_ID);
}

function openRoot(ring: MasterKeyRing, ciphertext: string): IntegrityKeys {
  const label = "The integrity key";
  const plain = JSON.parse(decrypt((id) => requireKey(ring, id, label), ciphertext, ROOT_CONTEXT, label)) as {
    key: string;
    keyedFromSeq: number;
  };
  return keysOf(Buffer.from(plain.key, "base64"), plain.keyedFromSeq);
}

/** Reads the root without creating anything. */
export async function readIntegrity(ctx: ServicesCtx): Promise<IntegrityState> {
  const row = await readRoot(ctx);
  if (!row) return { kind: "none" };
  const ring = await ringIfAny(ctx, false);
  return ring ? { kind: "open", keys: openRoot(ring, row.ciphertext) } : { kind: "locked" };
}

/**
 * The keys for a write that must be authenticated (a keyed audit event, a configuration MAC). The
 * first such write creates the root, in the caller's transaction: that needs the master key.
 */
export async function integrityKeys(ctx: ServicesCtx, given?: MasterKeyRing): Promise<IntegrityKeys> {
  // A caller that already read the ring passes it: the key file is read once per call, not twice.
  const ring = given ?? (await ringIfAny(ctx, true));
  if (!ring) {
    throw new CredentialError(
      "No master key: security-relevant changes are authenticated under a key that only the master key opens.",
      "Set INTG_MASTER_KEY (base64 of 32 bytes).",
      "MASTER_KEY_MISSING",
    );
  }
  const row = await readRoot(ctx);
  if (row) return openRoot(ring, row.ciphertext);
  return ctx.sql.transaction(async (tx) => {
    await lockChain(tx);
    const again = await readRoot({ ...ctx, sql: tx });
    if (again) return openRoot(ring, again.ciphertext);
    return createRoot({ ...ctx, sql: tx }, ring);
  });
}

async function createRoot(ctx: ServicesCtx, ring: MasterKeyRing): Promise<IntegrityKeys> {
  await refuseIfOnceKeyed(ctx);
  await refuseStrangerKey(ctx, ring);
  const keyedFromSeq = ((await lastEvent(ctx.sql))?.seq ?? 0) + 1;
  const root = nodeCrypto().randomBytes(32);
  const sealed = encrypt(ring.current, JSON.stringify({ key: root.toString("base64"), keyedFromSeq }), ROOT_CONTEXT);
  const row = { id: ROOT_ID, ciphertext: sealed, masterKeyId: ring.current.id, keyedFromSeq, createdAt: ctx.now() };
  await insertIntegrityKey(typed(ctx.sql), row);
  const keys = keysOf(root, keyedFromSeq);
  // Rows written before intg authenticated them are trusted once, here, and named in the event.
  const sealedRows = await sealUnsealedRows(ctx.sql, keys.config);
  await appendEvent(
    ctx.sql,
    {
      id: newId("audit", ctx.now()),
      action: "integrity.key_create",
      actor: ctx.actor,
      targetType: "integrity",
      targetId: null,
      outcome: "success",
      reason: null,
      metadata: { keyedFromSeq, masterKeyId: ring.current.id, sealedRows },
      createdAt: ctx.now().toISOString(),
    },
    keys.audit,
  );
  return keys;
}

// A root sealed under a master key that opens none of the secrets already here would split the
// store across two keys (and lock out every holder of the right one).
async function refuseStrangerKey(ctx: ServicesCtx, ring: MasterKeyRing): Promise<void> {
  const inUse = [...(await countByKey(ctx)).keys()];
  const known = inUse.filter((id) => findKey(ring, id));
  if (inUse.length > 0 && !(known.length > 0 && (await opensOneRow(ctx, ring, known)))) {
    throw new CredentialError(
      "The master key at hand opens none of the secrets in this database; nothing was written.",
      "Set INTG_MASTER_KEY (and INTG_PREVIOUS_MASTER_KEYS) to the key the secrets were sealed with.",
      "MASTER_KEY_MISMATCH",
    );
  }
}

// A root that has gone missing must not be replaced by a new one: every MAC made under it would
// then be "wrong", and a writer who deleted it could have every row re-trusted.
async function refuseIfOnceKeyed(ctx: ServicesCtx): Promise<void> {
  const db = typed(ctx.sql);
  const macs = (await countSealedProviders(db)) + (await countSealedConnections(db)) + (await countMacedEndpoints(db));
  const traces = (await countKeyedAuditEvents(db)) + macs;
  const head = headFilePath(ctx);
  const anchored = head ? readHeadFile(head) !== undefined : false;
  if (traces > 0 || anchored) {
    throw new CredentialError(
      "The integrity key is missing from the database, but its audit log or configuration was authenticated under one: the database was altered or restored without it.",
      "Restore the database from a backup. Nothing was written.",
      "INTEGRITY_KEY_MISSING",
    );
  }
}
