import type { CommandContext } from "../../../cli/context.js";
import type { ExternalShareLinkInfo } from "../../../types/integration/external-reference.types.js";

/** The links as a table: on stdout, or on stderr beside a token that alone goes to stdout. */
export async function printShareLinks(
  ctx: CommandContext,
  links: ExternalShareLinkInfo[],
  toStderr = false,
): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(links);
  if (links.length === 0) return ctx.out.info("No share links. Create one with: intg refs share create <ref>");
  const headers = ["ID", "REFERENCE", "STATE", "USES", "EXPIRES", "CREATED BY"];
  const rows = links.map((l) => [
    l.id,
    l.referenceId,
    l.state,
    `${l.accessCount}${l.maxUses === null ? "" : `/${l.maxUses}`}`,
    l.expiresAt,
    l.createdBy,
  ]);
  if (!toStderr) return ctx.out.table(headers, rows);
  for (const r of rows) ctx.out.info(headers.map((h, i) => `${h.toLowerCase()}: ${r[i]}`).join("  "));
}
