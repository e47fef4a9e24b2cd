import { col } from "../../db/sql.js";
import type { JsonObject } from "../../types/common.js";
import type { ApiSecurityAuditEvent } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";

export const AUDIT_COLUMNS = `"id", "seq", "prevHash", "hash", "action", "actor", "targetType", "targetId", "outcome", "reason", "metadata", "createdAt"`;

export type AuditRow = Record<string, unknown> & { id: string; seq: number | string; hash: string };

export function toAuditEvent(r: AuditRow): ApiSecurityAuditEvent {
  return {
    id: r.id,
    action: String(r.action),
    actor: String(r.actor),
    targetType: String(r.targetType),
    targetId: (r.targetId as string | null) ?? null,
    outcome: r.outcome === "failure" ? "failure" : "success",
    reason: (r.reason as string | null) ?? null,
    metadata: r.metadata === null || r.metadata === undefined ? null : col.json<JsonObject>(r.metadata),
    createdAt: col.date(r.createdAt).toISOString(),
    previousHash: (r.prevHash as string | null) ?? null,
    eventHash: r.hash,
  };
}

export interface AuditQuery {
  since?: Date;
  /** A target id (`key_…`), or a target type (`api_key`). */
  target?: string;
  action?: string;
  limit: number;
}

/** The newest events first, at most `limit`. */
export async function listAudit(ctx: ServiceContext, q: AuditQuery): Promise<ApiSecurityAuditEvent[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.since) {
    where.push(`"createdAt" >= ?`);
    params.push(q.since);
  }
  if (q.target) {
    where.push(`("targetId" = ? OR "targetType" = ?)`);
    params.push(q.target, q.target);
  }
  if (q.action) {
    where.push(`"action" = ?`);
    params.push(q.action);
  }
  params.push(q.limit);
  const rows = await ctx.sql.all<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM "AuditEvent" ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY "seq" DESC LIMIT ?`, params);
  return rows.map(toAuditEvent);
}
