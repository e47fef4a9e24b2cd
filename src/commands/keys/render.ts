import type { CommandContext } from "../../cli/context.js";
import type { ApiKeyInfo } from "../../types/integration/api.types.js";

// The table columns of every command that prints keys, so list, revoke and expire agree.
const HEADERS = ["ID", "NAME", "KEY", "STATUS", "SCOPES", "EXPIRES", "LAST USED", "USES"];

export const keyRow = (k: ApiKeyInfo) => [
  k.id,
  k.name,
  `${k.start}…${k.end}`,
  k.status.toLowerCase(),
  k.scopes.map((s) => s.toLowerCase()).join(","),
  k.expiresAt ?? "never",
  k.lastUsedAt ?? "never",
  k.useCount,
];

export async function printKeys(ctx: CommandContext, keys: ApiKeyInfo[], empty = "No keys found."): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(keys);
  if (keys.length === 0) return ctx.out.info(empty);
  await ctx.out.table(HEADERS, keys.map(keyRow));
}

export async function printKey(ctx: CommandContext, k: ApiKeyInfo): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(k);
  await ctx.out.details([
    ["id", k.id],
    ["name", k.name],
    ["key", `${k.start}…${k.end}`],
    ["environment", k.environment],
    ["status", k.status.toLowerCase()],
    ["scopes", k.scopes.map((s) => s.toLowerCase()).join(", ") || "(none)"],
    ["owner", k.ownerId ?? ""],
    ["metadata", k.metadata ? JSON.stringify(k.metadata) : ""],
    ["expires", k.expiresAt ?? "never"],
    ["grace ends", k.graceEndsAt ?? ""],
    ["revoked", k.revokedAt ? `${k.revokedAt}${k.revokedReason ? ` (${k.revokedReason})` : ""}` : ""],
    ["last used", k.lastUsedAt ?? "never"],
    ["uses", k.useCount],
    ["rotated from", k.rotatedFromId ?? ""],
    ["rotated to", k.rotatedToId ?? ""],
    ["created", k.createdAt],
  ]);
}
