import type { CommandContext } from "../../cli/context.js";
import type { IntegrationProviderExtended, IntegrationTemplate } from "../../types/integration/integration.types.js";

// The tables every providers command prints, so list, show, create and update agree.

const lower = (s: string) => s.toLowerCase();

export async function printProviders(ctx: CommandContext, providers: IntegrationProviderExtended[]): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(providers);
  if (providers.length === 0)
    return ctx.out.info(
      "No providers. Create one with: intg providers create --from-template <name> (see intg providers templates)",
    );
  await ctx.out.table(
    ["SLUG", "ID", "NAME", "CATEGORY", "STATUS", "AUTH", "BASE URL", "CONNECTIONS"],
    providers.map((p) => [
      p.slug,
      p.id,
      p.name,
      lower(p.category),
      lower(p.status),
      lower(p.connector.auth.type),
      p.baseUrl,
      p.connectionCount,
    ]),
  );
}

export async function printProvider(ctx: CommandContext, p: IntegrationProviderExtended): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(p);
  const { auth, healthCheck } = p.connector;
  const { type, ...settings } = auth;
  await ctx.out.details([
    ["id", p.id],
    ["slug", p.slug],
    ["name", p.name],
    ["category", lower(p.category)],
    ["status", lower(p.status)],
    ["base url", p.baseUrl],
    ["docs", p.docsUrl ?? ""],
    ["auth", `${lower(type)}${Object.keys(settings).length ? ` ${JSON.stringify(settings)}` : ""}`],
    ["credential", p.connector.credentialTokenType ?? "none"],
    ["health check", `${healthCheck.method} ${healthCheck.path} -> ${healthCheck.expectedStatus}`],
    ["rate limit", p.connector.rateLimitPerMinute === null ? "" : `${p.connector.rateLimitPerMinute}/min`],
    ["pagination", p.connector.paginationStyle ?? ""],
    ["private network", p.config?.allowPrivateNetwork === true ? "allowed" : "refused"],
    ["template", p.templateName ?? ""],
    ["connections", p.connectionCount],
    ["created", p.createdAt],
    ["updated", p.updatedAt],
  ]);
}

export async function printTemplates(ctx: CommandContext, templates: IntegrationTemplate[]): Promise<void> {
  if (ctx.out.json) return ctx.out.printJson(templates);
  await ctx.out.table(
    ["NAME", "DISPLAY NAME", "CATEGORY", "AUTH", "HEALTH CHECK", "BASE URL"],
    templates.map((t) => [
      t.name,
      t.displayName,
      lower(t.category),
      lower(t.connector.auth.type),
      `${t.connector.healthCheck.method} ${t.connector.healthCheck.path}`,
      t.baseUrl,
    ]),
  );
}
