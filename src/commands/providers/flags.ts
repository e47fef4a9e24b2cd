import type { Command } from "commander";
import { enumOption, rateLimitOption } from "../../cli/flags.js";
import { parseRateFlag } from "../../cli/parse.js";
import { UsageError } from "../../errors.js";
import { AuthenticationType, IntegrationCategory, IntegrationProviderStatus } from "../../types/enums.js";
import type { ApiAuthConfig } from "../../types/integration/api.types.js";

// The flags `providers create` and `providers update` share, and the partial definition they make.
// Values are checked by the providers' zod schema, so a flag and an imported file obey one rule.

export interface ProviderFlags {
  slug?: string;
  name?: string;
  category?: string;
  status?: string;
  baseUrl?: string;
  docsUrl?: string;
  auth?: string;
  authPlacement?: string;
  authName?: string;
  tokenUrl?: string;
  scopes?: string;
  hmacHeader?: string;
  hmacAlgorithm?: string;
  hmacEncoding?: string;
  healthMethod?: string;
  healthPath?: string;
  healthStatus?: string;
  rateLimit?: string;
  pagination?: string;
  allowPrivateNetwork?: boolean;
}

export function addProviderFlags(command: Command): Command {
  return command
    .option("--slug <slug>", "the provider's key, e.g. stripe (lowercase letters, digits, -)")
    .option("--name <name>", "display name")
    .addOption(enumOption("--category <category>", "what kind of API it is", IntegrationCategory))
    .addOption(enumOption("--status <status>", "whether new connections should use it", IntegrationProviderStatus))
    .option("--base-url <url>", "the API's base URL; health and ad-hoc request paths are relative to it")
    .option("--docs-url <url>", "where the API is documented")
    .addOption(enumOption("--auth <type>", "how its connections authenticate", AuthenticationType))
    .addOption(enumOption("--auth-placement <where>", "api_key: where the key goes", ["header", "query"]))
    .option("--auth-name <name>", "api_key: the header or query parameter name")
    .option("--token-url <url>", "oauth2: the token endpoint")
    .option("--scopes <list>", "oauth2: comma-separated scopes")
    .option("--hmac-header <name>", "hmac: the header carrying the signature")
    .addOption(enumOption("--hmac-algorithm <alg>", "hmac: the signature's hash", ["sha256", "sha512"]))
    .addOption(enumOption("--hmac-encoding <enc>", "hmac: how the signature is written", ["hex", "base64"]))
    .option("--health-method <method>", "the health request's method (default GET)")
    .option("--health-path <path>", "the health request's path (default /)")
    .option("--health-status <code>", "the status that means healthy (default 200)")
    .addOption(rateLimitOption("the default limit of its connections", { unit: "minute" }))
    .addOption(enumOption("--pagination <style>", "how its lists page", ["page", "cursor", "link"]))
    .option(
      "--allow-private-network",
      "may reach private, loopback and link-local addresses (test doubles, on-premise APIs)",
    )
    .option("--no-allow-private-network", "may not (the default)");
}

function int(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()))
    throw new UsageError(`${flag}: "${text}" is not a whole number; nothing was written.`);
  return Number(text);
}

function auth(flags: ProviderFlags, base: ApiAuthConfig | undefined): Record<string, unknown> | undefined {
  const settings: Record<string, unknown> = {};
  if (flags.authPlacement !== undefined) settings.placement = flags.authPlacement;
  if (flags.authName !== undefined) settings.name = flags.authName;
  if (flags.tokenUrl !== undefined) settings.tokenUrl = flags.tokenUrl;
  if (flags.scopes !== undefined)
    settings.scopes = flags.scopes
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  if (flags.hmacHeader !== undefined) settings.headerName = flags.hmacHeader;
  if (flags.hmacAlgorithm !== undefined) settings.algorithm = flags.hmacAlgorithm;
  if (flags.hmacEncoding !== undefined) settings.encoding = flags.hmacEncoding;
  if (flags.auth === undefined && Object.keys(settings).length === 0) return undefined;
  const type = flags.auth?.trim().toUpperCase().replace(/-/g, "_") ?? base?.type;
  // Settings of the same type are kept; a change of type starts over from that type's defaults.
  const kept = base && base.type === type ? base : {};
  return { ...kept, ...settings, type };
}

/** The fields the flags set; undefined means "not given" (update keeps, create defaults). */
export function providerPatch(
  flags: ProviderFlags,
  base?: { auth: ApiAuthConfig; healthCheck: { method: string; path: string; expectedStatus: number | null } },
): Record<string, unknown> {
  const health = flags.healthMethod ?? flags.healthPath ?? flags.healthStatus;
  return {
    slug: flags.slug,
    name: flags.name,
    category: flags.category,
    status: flags.status,
    baseUrl: flags.baseUrl,
    docsUrl: flags.docsUrl,
    auth: auth(flags, base?.auth),
    healthCheck:
      health === undefined
        ? undefined
        : {
            ...base?.healthCheck,
            ...(flags.healthMethod && { method: flags.healthMethod }),
            ...(flags.healthPath && { path: flags.healthPath }),
            ...(flags.healthStatus && { expectedStatus: int("--health-status", flags.healthStatus) }),
          },
    rateLimitPerMinute:
      flags.rateLimit === undefined ? undefined : parseRateFlag("--rate-limit", flags.rateLimit, "minute"),
    paginationStyle: flags.pagination,
    allowPrivateNetwork: flags.allowPrivateNetwork,
  };
}
