import type { CommandContext } from "../../cli/context.js";
import type {
  CrossReferenceLookupResult,
  ExternalReference,
  ReferenceAuditEntry,
  ReferenceValidationResult,
} from "../../types/integration/external-reference.types.js";

// The tables every refs command prints, so link, list, show and lookup agree on columns.
const HEADERS = ["ID", "CONNECTION", "ENTITY", "EXTERNAL", "REMOTE DELETED", "UPDATED"];
const row = (r: ExternalReference) => [
  r.id,
  r.connectionId,
  `${r.entityType}:${r.entityId}`,
  `${r.externalType}:${r.externalId}`,
  r.remoteDeleted ? "yes" : "",
  r.updatedAt,
];

export async function printRefs(
  ctx: CommandContext,
  refs: ExternalReference[],
  empty = "No references found.",
): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(refs);
  if (refs.length === 0) return ctx.out.info(empty);
  await ctx.out.table(HEADERS, refs.map(row));
}

export async function printRef(ctx: CommandContext, r: ExternalReference): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(r);
  await ctx.out.details([
    ["id", r.id],
    ["connection", r.connectionId],
    ["entity", `${r.entityType}:${r.entityId}`],
    ["external", `${r.externalType}:${r.externalId}`],
    ["metadata", r.metadata ? JSON.stringify(r.metadata) : ""],
    ["payload hash", r.payloadHash ?? ""],
    ["first seen", r.firstSeenAt],
    ["last modified", r.lastModifiedAt],
    ["remote deleted", r.remoteDeleted ? `yes (${r.remoteDeletedAt ?? "time unknown"})` : "no"],
    ["created", r.createdAt],
    ["updated", r.updatedAt],
  ]);
}

export async function printLookup(ctx: CommandContext, result: CrossReferenceLookupResult): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(result);
  await ctx.out.table(
    ["ID", "PROVIDER", "CONNECTION", "ENTITY", "EXTERNAL", "REMOTE DELETED"],
    result.references.map((r) => [
      r.id,
      r.provider.slug,
      `${r.connection.name} (${r.connection.environment.toLowerCase()})`,
      `${r.entityType}:${r.entityId}`,
      `${r.externalType}:${r.externalId}`,
      r.remoteDeleted ? "yes" : "",
    ]),
  );
}

export async function printHistory(ctx: CommandContext, entries: ReferenceAuditEntry[]): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(entries);
  const show = (v: unknown) => (v === null ? "∅" : typeof v === "string" ? v : JSON.stringify(v));
  await ctx.out.table(
    ["WHEN", "ACTION", "SOURCE", "ACTOR", "CHANGES"],
    entries.map((e) => [
      e.createdAt,
      e.action,
      e.source,
      e.actor,
      e.changes.map((c) => `${c.field}: ${show(c.from)} → ${show(c.to)}`).join("\n"),
    ]),
  );
}

/** The mapped record on stdout; the problems on stderr (the command then exits 2). */
export function printTransform(ctx: CommandContext, r: ReferenceValidationResult): void {
  if (ctx.out.json) return ctx.out.printJson(r);
  if (r.valid) return ctx.out.printJson(r.record);
  for (const issue of r.issues) ctx.out.warn(`${issue.path || "(record)"}: ${issue.message}`);
}
