import { isIP } from "node:net";
import { ConflictError, UsageError } from "../../errors.js";
import type { Insertable } from "kysely";
import type { IntegrationProvider } from "../../db/generated/kysely/types.js";
import { jsonText, typed } from "../../db/kysely.js";
import { insertProviderRow, providerIdBySlug, updateProviderRow } from "../../db/queries/integration-provider.js";
import type { SqlClient } from "../../db/sql.js";
import type { Env } from "../../db/url.js";
import { resolveUnderBase } from "../../lib/bounded-path.js";
import { newId } from "../../lib/ids.js";
import { ALLOW_PRIVATE_ENV, isPrivateAddress, privateNetworksAllowed } from "../../lib/url-guard.js";
import { IntegrationProviderStatus } from "../../types/enums.js";
import type { IntegrationProviderExtended, ProviderImportResult } from "../../types/integration/integration.types.js";
import { recordAudit } from "../audit/record.js";
import { sealConfig } from "../integrity/config.js";
import type { ServiceContext } from "../context.js";
import { authSettings, toIssues } from "./connector.js";
import { ProviderDefinitionSchema, type ProviderDefinition } from "./definition.js";
import { findProviderRow, toDefinition, toProviderView } from "./rows.js";

// Creating and changing providers. Every change is validated whole (the same zod schema as an
// import) before it is written, and lands in one transaction with its audit event.

/** Parses a definition; the first problem is a usage error naming its path. Nothing is written. */
export function parseDefinition(input: unknown, where = ""): ProviderDefinition {
  const result = ProviderDefinitionSchema.safeParse(input);
  if (result.success) return result.data;
  const [first] = toIssues(result.error, where);
  throw new UsageError(
    `Invalid provider${first!.path ? ` at ${first!.path}` : ""}: ${first!.message}; nothing was written.`,
    undefined,
    "INVALID_PROVIDER",
  );
}

/**
 * DESIGN §6 at the door: a base or token URL that names a private, loopback or link-local address
 * outright is refused unless allowed. Host names are checked where they are dialled (resolving
 * them here would refuse every template on a machine without DNS).
 */
export function checkAddressPolicy(env: Env, d: ProviderDefinition, where = ""): void {
  checkPathsUnderBase(d, where);
  if (privateNetworksAllowed(env, d.allowPrivateNetwork)) return;
  const urls: [string, string][] = [["baseUrl", d.baseUrl]];
  if ("tokenUrl" in d.auth) urls.push(["auth.tokenUrl", d.auth.tokenUrl]);
  for (const [field, url] of urls) {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    if (host === "localhost" || host.endsWith(".localhost") || (isIP(host) !== 0 && isPrivateAddress(host))) {
      throw new UsageError(
        `Invalid provider at ${where ? `${where}.` : ""}${field}: ${host} is a private, loopback or link-local address; nothing was written.`,
        `Allow it with --allow-private-network (allowPrivateNetwork: true), or everywhere with ${ALLOW_PRIVATE_ENV}=1.`,
        "PRIVATE_ADDRESS",
      );
    }
  }
}

/** The health check and resource paths travel with the credential: they must stay under the base URL. */
function checkPathsUnderBase(d: ProviderDefinition, where: string): void {
  const paths: [string, string][] = [["healthCheck.path", d.healthCheck.path]];
  for (const [name, r] of Object.entries(d.resources ?? {})) paths.push([`resources.${name}.path`, r.path]);
  for (const [field, path] of paths) {
    try {
      resolveUnderBase(d.baseUrl, path);
    } catch (error) {
      const why = (error as Error).message.replace(/; nothing was sent\.$/, "");
      const at = `${where ? `${where}.` : ""}${field}`;
      throw new UsageError(`Invalid provider at ${at}: ${why}; nothing was written.`, undefined, "PATH_OUTSIDE_BASE");
    }
  }
}

/** The columns a definition sets; the config holds the auth settings and what else it declares. */
function columns(d: ProviderDefinition): Omit<Insertable<IntegrationProvider>, "id" | "createdAt" | "updatedAt"> {
  const resources = d.resources && Object.keys(d.resources).length ? { resources: d.resources } : {};
  const network = d.allowPrivateNetwork ? { allowPrivateNetwork: true } : {};
  const config = { auth: authSettings(d.auth), ...network, ...resources };
  return {
    slug: d.slug,
    name: d.name,
    category: d.category,
    status: d.status,
    baseUrl: d.baseUrl,
    authType: d.auth.type,
    healthCheckMethod: d.healthCheck.method,
    healthCheckPath: d.healthCheck.path,
    healthCheckExpectedStatus: d.healthCheck.expectedStatus,
    rateLimitPerMinute: d.rateLimitPerMinute,
    paginationStyle: d.paginationStyle,
    docsUrl: d.docsUrl,
    config: jsonText(config),
    templateName: d.templateName,
  };
}

/** Inserts a provider; `id` keeps the one a backup carries, else a new one is made. */
export async function insertProvider(
  tx: SqlClient,
  d: ProviderDefinition,
  now: Date,
  id = newId("provider", now),
): Promise<string> {
  await insertProviderRow(typed(tx), { ...columns(d), id, createdAt: now, updatedAt: now });
  return id;
}

async function slugTaken(tx: SqlClient, slug: string, exceptId?: string): Promise<boolean> {
  return (await providerIdBySlug(typed(tx), slug, exceptId)) !== undefined;
}

export async function createProvider(ctx: ServiceContext, input: unknown): Promise<IntegrationProviderExtended> {
  const d = parseDefinition(input);
  checkAddressPolicy(ctx.env, d);
  return ctx.sql.transaction(async (tx) => {
    if (await slugTaken(tx, d.slug))
      throw new ConflictError(
        `A provider "${d.slug}" already exists.`,
        "Choose another --slug, or change it with: intg providers update",
        "PROVIDER_EXISTS",
      );
    const id = await insertProvider(tx, d, ctx.now());
    await sealConfig({ ...ctx, sql: tx }, "IntegrationProvider", id);
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: "provider.create",
        targetType: "provider",
        targetId: id,
        metadata: { slug: d.slug, template: d.templateName },
      },
    );
    return toProviderView(await findProviderRow(tx, id));
  });
}

/** Applies a partial change (flags) to the provider's definition and re-validates the whole. */
export async function updateProvider(
  ctx: ServiceContext,
  ref: string,
  patch: Partial<Record<keyof ProviderDefinition, unknown>>,
): Promise<IntegrationProviderExtended> {
  return ctx.sql.transaction(async (tx) => {
    const current = toProviderView(await findProviderRow(tx, ref));
    const merged = {
      ...toDefinition(current),
      ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
    };
    const d = parseDefinition(merged);
    checkAddressPolicy(ctx.env, d);
    if (await slugTaken(tx, d.slug, current.id))
      throw new ConflictError(`A provider "${d.slug}" already exists.`, undefined, "PROVIDER_EXISTS");
    await updateProviderRow(typed(tx), current.id, { ...columns(d), updatedAt: ctx.now() });
    await sealConfig({ ...ctx, sql: tx }, "IntegrationProvider", current.id);
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: "provider.update",
        targetType: "provider",
        targetId: current.id,
        metadata: { fields: Object.keys(patch).filter((k) => patch[k as keyof ProviderDefinition] !== undefined) },
      },
    );
    return toProviderView(await findProviderRow(tx, current.id));
  });
}

export function deprecateProvider(ctx: ServiceContext, ref: string): Promise<IntegrationProviderExtended> {
  return updateProvider(ctx, ref, { status: IntegrationProviderStatus.DEPRECATED });
}

/**
 * Imports definitions: new slugs are created, known ones replaced. Every entry is validated before
 * anything is written (the first invalid one is named by its path), then all land in one transaction.
 */
export async function importProviders(
  ctx: ServiceContext,
  entries: unknown[],
  options: { dryRun?: boolean; where?: string } = {},
): Promise<ProviderImportResult> {
  const at = (i: number) => `${options.where ?? "providers"}[${i}]`;
  const defs = entries.map((e, i) => parseDefinition(e, at(i)));
  defs.forEach((d, i) => checkAddressPolicy(ctx.env, d, at(i)));
  const seen = new Map<string, number>();
  defs.forEach((d, i) => {
    if (seen.has(d.slug))
      throw new UsageError(
        `Invalid provider at ${options.where ?? "providers"}[${i}].slug: "${d.slug}" is also entry ${seen.get(d.slug)}; nothing was written.`,
        undefined,
        "INVALID_PROVIDER",
      );
    seen.set(d.slug, i);
  });
  const result: ProviderImportResult = { created: [], updated: [], dryRun: options.dryRun === true };
  await ctx.sql.transaction(async (tx) => {
    for (const d of defs) {
      const existing = await providerIdBySlug(typed(tx), d.slug);
      (existing ? result.updated : result.created).push(d.slug);
      if (result.dryRun) continue;
      if (existing) await updateProviderRow(typed(tx), existing, { ...columns(d), updatedAt: ctx.now() });
      const id = existing ?? (await insertProvider(tx, d, ctx.now()));
      await sealConfig({ ...ctx, sql: tx }, "IntegrationProvider", id);
    }
    if (!result.dryRun)
      await recordAudit(
        { ...ctx, sql: tx },
        {
          action: "provider.import",
          targetType: "provider",
          targetId: null,
          metadata: { created: result.created, updated: result.updated },
        },
      );
  });
  return result;
}
