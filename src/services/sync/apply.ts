import { createHash } from "node:crypto";
import { typed } from "../../db/kysely.js";
import {
  insertSyncedRef,
  markRefSeen,
  markRefsRemoteDeleted,
  refsUnseenBy,
  updateSyncedRef,
} from "../../db/queries/external-reference/sync.js";
import type { SqlClient } from "../../db/sql.js";
import type { JsonValue } from "../../types/common.js";
import type { IntegrationMappingInfo } from "../../types/integration/external-reference.types.js";
import { diffRef, writeRefAudit, type AuditDraft } from "../refs/audit.js";
import { findRef, refByEntity, refByExternal } from "../refs/rows.js";
import { sequentialIds } from "../refs/sequential-ids.js";
import { applyMapping } from "../refs/transform.js";
import type { JobError } from "./jobs.js";
import { pick, type SyncResource } from "./resource.js";

// One page's records into ExternalReference, in the caller's transaction (the one that also moves
// the job's checkpoint, so a page is either wholly applied and checkpointed, or not at all).
// Every record seen is stamped with the job's id: a full sync's deletion pass reads that stamp.

export interface PageTarget {
  jobId: string;
  connectionId: string;
  resource: SyncResource;
  mapping: IntegrationMappingInfo;
  actor: string;
}

export interface Applied {
  created: number;
  updated: number;
  errors: JobError[];
}

/** Stable whatever the key order: the same record hashes the same on every run. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

export async function applyPage(tx: SqlClient, t: PageTarget, items: unknown[], now: Date): Promise<Applied> {
  const db = typed(tx);
  const seen = { jobId: t.jobId, actor: t.actor, now };
  const out: Applied = { created: 0, updated: 0, errors: [] };
  const audit: Array<AuditDraft & { connectionId: string }> = [];
  const externalType = t.resource.externalType;
  const entityType = t.mapping.entityType;
  for (const item of items) {
    const rawId = pick(item, t.resource.idField);
    if (typeof rawId !== "string" && typeof rawId !== "number") {
      out.errors.push({ message: `a record has no id at "${t.resource.idField}"`, externalId: null });
      continue;
    }
    const externalId = String(rawId);
    const mapped = await applyMapping(t.mapping, item as JsonValue);
    if (!mapped.valid) {
      out.errors.push({
        message: mapped.issues.map((i) => `${i.path || "record"} ${i.message}`).join("; "),
        externalId,
      });
      continue;
    }
    const rawEntity = pick(mapped.record, t.resource.entityIdField);
    if (typeof rawEntity !== "string" && typeof rawEntity !== "number") {
      out.errors.push({ message: `the mapped record has no entity id at "${t.resource.entityIdField}"`, externalId });
      continue;
    }
    const entityId = String(rawEntity);
    const hash = createHash("sha256").update(canonical(mapped.record)).digest("hex");
    const held = await refByExternal(tx, t.connectionId, externalType, externalId);
    const taken = await refByEntity(tx, t.connectionId, entityType, entityId, externalType);
    if (taken && taken.id !== held?.id) {
      // Another external record already holds this entity: reported, never silently moved.
      out.errors.push({
        message: `${entityType}:${entityId} is already linked to ${externalType}:${taken.externalId} by ${taken.id}`,
        externalId,
      });
      continue;
    }
    if (!held) {
      const id = sequentialIds("reference", now, 1)[0]!;
      const record = { entityType, entityId, externalType, externalId, payloadHash: hash };
      await insertSyncedRef(db, id, { ...record, connectionId: t.connectionId }, seen);
      out.created++;
      continue;
    }
    if (
      held.payloadHash === hash &&
      held.entityId === entityId &&
      held.entityType === entityType &&
      !held.remoteDeleted
    ) {
      await markRefSeen(db, held.id, t.jobId);
      continue;
    }
    await updateSyncedRef(db, held.id, { entityType, entityId, payloadHash: hash }, seen);
    audit.push({
      referenceId: held.id,
      connectionId: t.connectionId,
      action: "update",
      actor: t.actor,
      source: "sync",
      changes: diffRef(held, await findRef(tx, held.id)),
    });
    out.updated++;
  }
  await writeRefAudit(tx, now, audit);
  return out;
}

/**
 * After the last page of a full sync: every live ref of the resource that this job did not see
 * is marked remote-deleted, with a `remote_delete` history entry. Returns how many.
 */
export async function markDisappeared(
  tx: SqlClient,
  t: Omit<PageTarget, "mapping" | "resource"> & { externalType: string },
  now: Date,
): Promise<number> {
  const db = typed(tx);
  const ids = await refsUnseenBy(db, t.connectionId, t.externalType, t.jobId);
  if (ids.length === 0) return 0;
  await markRefsRemoteDeleted(db, ids, now);
  const changes = [{ field: "remoteDeleted", from: false, to: true }];
  await writeRefAudit(
    tx,
    now,
    ids.map((referenceId) => ({
      referenceId,
      connectionId: t.connectionId,
      action: "remote_delete" as const,
      actor: t.actor,
      source: "sync" as const,
      changes,
    })),
  );
  return ids.length;
}
