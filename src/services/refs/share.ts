import { CredentialError, NotFoundError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import {
  insertShareLink,
  revokeShareLinkRow,
  type ShareLinkRow,
  shareLinkById,
  shareLinkByTokenHash,
  shareLinkRows,
  takeShareLinkUse,
} from "../../db/queries/external-share-link.js";
import type { SqlClient } from "../../db/sql.js";
import { hashKey } from "../../lib/api-key.js";
import { nodeCrypto } from "../../lib/lazy-builtins.js";
import type {
  ExternalReference,
  ExternalShareLinkCreated,
  ExternalShareLinkInfo,
} from "../../types/integration/external-reference.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { findRef } from "./rows.js";
import { sequentialIds } from "./sequential-ids.js";

// Share links: a token that resolves to one reference. Like API keys, 256 random bits shown once
// and stored as a SHA-256 hash; a recognisable prefix lets a leaked one be identified.
const TOKEN_PREFIX = "intgshr_";
function toShareLink(r: ShareLinkRow, now: Date): ExternalShareLinkInfo {
  const { maxUses, accessCount, expiresAt } = r;
  const state = r.revokedAt
    ? "revoked"
    : expiresAt <= now
      ? "expired"
      : maxUses !== null && accessCount >= maxUses
        ? "used_up"
        : "active";
  return {
    id: r.id,
    referenceId: r.referenceId,
    state,
    expiresAt: expiresAt.toISOString(),
    revokedAt: r.revokedAt?.toISOString() ?? null,
    maxUses,
    accessCount,
    lastAccessedAt: r.lastAccessedAt?.toISOString() ?? null,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
  };
}

async function findShareLink(sql: SqlClient, id: string, now: Date): Promise<ExternalShareLinkInfo> {
  const row = await shareLinkById(typed(sql), id);
  if (!row)
    throw new NotFoundError(`No share link ${id}.`, "List them with: intg refs share list", "SHARE_LINK_NOT_FOUND");
  return toShareLink(row, now);
}

const SHARE_LINK_CODE = {
  active: "SHARE_LINK_ACTIVE",
  expired: "SHARE_LINK_EXPIRED",
  revoked: "SHARE_LINK_REVOKED",
  used_up: "SHARE_LINK_USED_UP",
} as const;

export async function createShareLink(
  ctx: ServiceContext,
  input: { referenceId: string; expiresInMs: number; maxUses: number | null },
): Promise<ExternalShareLinkCreated> {
  const now = ctx.now();
  return ctx.sql.transaction(async (tx) => {
    const ref = await findRef(tx, input.referenceId);
    const id = sequentialIds("shareLink", now, 1)[0]!;
    const token = TOKEN_PREFIX + nodeCrypto().randomBytes(32).toString("base64url");
    const expiresAt = new Date(now.getTime() + input.expiresInMs);
    const row = {
      id,
      referenceId: ref.id,
      tokenHash: hashKey(token),
      expiresAt,
      maxUses: input.maxUses,
      accessCount: 0,
    };
    await insertShareLink(typed(tx), { ...row, createdBy: ctx.actor, createdAt: now });
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: "share_link.create",
        targetType: "share_link",
        targetId: id,
        metadata: { referenceId: ref.id, maxUses: input.maxUses },
      },
    );
    return { ...(await findShareLink(tx, id, now)), token };
  });
}

export async function listShareLinks(
  ctx: ServiceContext,
  filter: { referenceId: string | null },
): Promise<ExternalShareLinkInfo[]> {
  const rows = await shareLinkRows(typed(ctx.sql), filter.referenceId);
  return rows.map((r) => toShareLink(r, ctx.now()));
}

export async function revokeShareLink(
  ctx: ServiceContext,
  input: { id: string; dryRun: boolean },
): Promise<ExternalShareLinkInfo> {
  const now = ctx.now();
  return ctx.sql.transaction(async (tx) => {
    const link = await findShareLink(tx, input.id, now);
    if (input.dryRun || link.revokedAt) return link;
    await revokeShareLinkRow(typed(tx), link.id, now);
    await recordAudit(
      { ...ctx, sql: tx },
      { action: "share_link.revoke", targetType: "share_link", targetId: link.id },
    );
    return findShareLink(tx, link.id, now);
  });
}

/**
 * The reference a token shares, counting one use. The use is taken by one conditional UPDATE,
 * so two processes resolving the last use of a link cannot both get it.
 */
export async function resolveShareLink(
  ctx: ServiceContext,
  input: { token: string },
): Promise<{ link: ExternalShareLinkInfo; reference: ExternalReference }> {
  const now = ctx.now();
  const hash = hashKey(input.token.trim());
  return ctx.sql.transaction(async (tx) => {
    const taken = await takeShareLinkUse(typed(tx), hash, now);
    const row = await shareLinkByTokenHash(typed(tx), hash);
    if (!row)
      throw new CredentialError(
        "The share token is not valid.",
        "Check that it was copied whole.",
        "SHARE_TOKEN_INVALID",
      );
    const link = toShareLink(row, now);
    if (!taken) {
      const why =
        {
          revoked: `was revoked at ${link.revokedAt}`,
          expired: `expired at ${link.expiresAt}`,
          used_up: `has been used ${link.accessCount} of ${link.maxUses} time(s)`,
        }[link.state as "revoked"] ?? "cannot be used now";
      throw new CredentialError(
        `Share link ${link.id} ${why}.`,
        "Ask for a new link: intg refs share create <ref>",
        SHARE_LINK_CODE[link.state],
      );
    }
    return { link, reference: await findRef(tx, link.referenceId) };
  });
}
