import { createHash } from "node:crypto";
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
  if (v !== null && typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}`;
  return JSON.stringify(v);
}

export async function applyPage(tx: SqlClient, t: PageTarget, items: unknown[], now: Date): Promise<Applied> {
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
      out.errors.push({ message: mapped.issues.map((i) => `${i.path || "record"} ${i.message}`).join("; "), externalId });
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
      out.errors.push({ message: `${entityType}:${entityId} is already linked to ${externalType}:${taken.externalId} by ${taken.id}`, externalId });
      continue;
    }
    if (!held) {
      const id = sequentialIds("reference", now, 1)[0]!;
      await tx.run(
        `INSERT INTO "ExternalReference" ("id","connectionId","entityType","entityId","externalType","externalId","metadata","payloadHash","firstSeenAt","lastModifiedAt","remoteDeleted","linkedBy","linkedVia","lastSeenSyncJobId","createdAt","updatedAt") VALUES (?,?,?,?,?,?,NULL,?,?,?,false,?,'sync',?,?,?)`,
        [id, t.connectionId, entityType, entityId, externalType, externalId, hash, now, now, t.actor, t.jobId, now, now],
      );
      out.created++;
      continue;
    }
    if (held.payloadHash === hash && held.entityId === entityId && held.entityType === entityType && !held.remoteDeleted) {
      await tx.run(`UPDATE "ExternalReference" SET "lastSeenSyncJobId" = ? WHERE "id" = ?`, [t.jobId, held.id]);
      continue;
    }
    await tx.run(
      `UPDATE "ExternalReference" SET "entityType" = ?, "entityId" = ?, "payloadHash" = ?, "remoteDeleted" = false, "remoteDeletedAt" = NULL, "lastModifiedAt" = ?, "lastSeenSyncJobId" = ?, "updatedAt" = ? WHERE "id" = ?`,
      [entityType, entityId, hash, now, t.jobId, now, held.id],
    );
    audit.push({ referenceId: held.id, connectionId: t.connectionId, action: "update", actor: t.actor, source: "sync", changes: diffRef(held, await findRef(tx, held.id)) });
    out.updated++;
  }
  await writeRefAudit(tx, now, audit);
  return out;
}

/**
 * After the last page of a full sync: every live ref of the resource that this job did not see
 * is marked remote-deleted, with a `remote_delete` history entry. Returns how many.
 */
export async function markDisappeared(tx: SqlClient, t: Omit<PageTarget, "mapping" | "resource"> & { externalType: string }, now: Date): Promise<number> {
  const gone = await tx.all<{ id: string }>(
    `SELECT "id" FROM "ExternalReference" WHERE "connectionId" = ? AND "externalType" = ? AND "remoteDeleted" = false AND ("lastSeenSyncJobId" IS NULL OR "lastSeenSyncJobId" <> ?) ORDER BY "id"`,
    [t.connectionId, t.externalType, t.jobId],
  );
  if (gone.length === 0) return 0;
  const ids = gone.map((g) => g.id);
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await tx.run(`UPDATE "ExternalReference" SET "remoteDeleted" = true, "remoteDeletedAt" = ?, "updatedAt" = ? WHERE "id" IN (${chunk.map(() => "?").join(",")})`, [now, now, ...chunk]);
  }
  const changes = [{ field: "remoteDeleted", from: false, to: true }];
  await writeRefAudit(tx, now, ids.map((referenceId) => ({ referenceId, connectionId: t.connectionId, action: "remote_delete" as const, actor: t.actor, source: "sync" as const, changes })));
  return ids.length;
}
