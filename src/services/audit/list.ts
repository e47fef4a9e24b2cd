import { typed } from "../../db/kysely.js";
import { type AuditFilter, type AuditRow, listAuditEvents } from "../../db/queries/audit-event.js";
import type { JsonObject } from "../../types/common.js";
import type { ApiSecurityAuditEvent } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";

export function toAuditEvent(r: AuditRow): ApiSecurityAuditEvent {
  return {
    id: r.id,
    action: r.action,
    actor: r.actor,
    targetType: r.targetType,
    targetId: r.targetId,
    outcome: r.outcome === "failure" ? "failure" : "success",
    reason: r.reason,
    metadata: (r.metadata ?? null) as JsonObject | null,
    createdAt: r.createdAt.toISOString(),
    previousHash: r.prevHash,
    eventHash: r.hash,
  };
}

/** `since`, a target id (`key_…`) or type (`api_key`), an action, and at most `limit` events. */
export type AuditQuery = AuditFilter;

/** The newest events first, at most `limit`. */
export async function listAudit(ctx: ServiceContext, q: AuditQuery): Promise<ApiSecurityAuditEvent[]> {
  return (await listAuditEvents(typed(ctx.sql), q)).map(toAuditEvent);
}
