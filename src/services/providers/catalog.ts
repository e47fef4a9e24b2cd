import { NotFoundError } from "../../errors.js";
import type { IntegrationTemplate } from "../../types/integration/integration.types.js";
import { CREDENTIAL_TOKEN_TYPE } from "./connector.js";
import { ProviderDefinitionSchema, type ProviderDefinition, type ProviderDefinitionInput } from "./definition.js";

// The built-in catalog: well-known APIs with their documented auth, a cheap authenticated health
// request, default rate limit and pagination. Hosts that depend on the customer's account
// (Salesforce, Shopify, Jira, Zendesk) carry a placeholder the operator overrides with --base-url.
const CATALOG: readonly ProviderDefinitionInput[] = [
  {
    slug: "stripe",
    name: "Stripe",
    category: "PAYMENTS",
    baseUrl: "https://api.stripe.com",
    docsUrl: "https://docs.stripe.com/api",
    auth: "BEARER_TOKEN",
    healthCheck: { path: "/v1/balance" },
    rateLimitPerMinute: 6000,
    paginationStyle: "cursor",
  },
  {
    slug: "github",
    name: "GitHub",
    category: "DEVELOPER_TOOLS",
    baseUrl: "https://api.github.com",
    docsUrl: "https://docs.github.com/rest",
    auth: "BEARER_TOKEN",
    healthCheck: { path: "/user" },
    rateLimitPerMinute: 83,
    paginationStyle: "link",
  },
  {
    slug: "slack",
    name: "Slack",
    category: "COMMUNICATION",
    baseUrl: "https://slack.com/api",
    docsUrl: "https://api.slack.com/methods",
    auth: "BEARER_TOKEN",
    healthCheck: { method: "POST", path: "/auth.test" },
    rateLimitPerMinute: 50,
    paginationStyle: "cursor",
  },
  {
    slug: "hubspot",
    name: "HubSpot",
    category: "CRM",
    baseUrl: "https://api.hubapi.com",
    docsUrl: "https://developers.hubspot.com/docs/api/overview",
    auth: "BEARER_TOKEN",
    healthCheck: { path: "/crm/v3/objects/contacts?limit=1" },
    rateLimitPerMinute: 600,
    paginationStyle: "cursor",
  },
  {
    slug: "salesforce",
    name: "Salesforce",
    category: "CRM",
    baseUrl: "https://example.my.salesforce.com",
    docsUrl: "https://developer.salesforce.com/docs/apis",
    auth: {
      type: "OAUTH2_CLIENT_CREDENTIALS",
      tokenUrl: "https://example.my.salesforce.com/services/oauth2/token",
      scopes: ["api"],
    },
    healthCheck: { path: "/services/data/" },
    rateLimitPerMinute: 1000,
    paginationStyle: "cursor",
  },
  {
    slug: "shopify",
    name: "Shopify",
    category: "ECOMMERCE",
    baseUrl: "https://example.myshopify.com/admin/api/2024-10",
    docsUrl: "https://shopify.dev/docs/api/admin-rest",
    auth: { type: "API_KEY", placement: "header", name: "X-Shopify-Access-Token" },
    healthCheck: { path: "/shop.json" },
    rateLimitPerMinute: 120,
    paginationStyle: "link",
  },
  {
    slug: "twilio",
    name: "Twilio",
    category: "COMMUNICATION",
    baseUrl: "https://api.twilio.com",
    docsUrl: "https://www.twilio.com/docs/usage/api",
    auth: "BASIC",
    healthCheck: { path: "/2010-04-01/Accounts.json" },
    rateLimitPerMinute: 6000,
    paginationStyle: "page",
  },
  {
    slug: "sendgrid",
    name: "SendGrid",
    category: "EMAIL",
    baseUrl: "https://api.sendgrid.com",
    docsUrl: "https://www.twilio.com/docs/sendgrid/api-reference",
    auth: "BEARER_TOKEN",
    healthCheck: { path: "/v3/scopes" },
    rateLimitPerMinute: 600,
    paginationStyle: "page",
  },
  {
    slug: "jira",
    name: "Jira Cloud",
    category: "PROJECT_MANAGEMENT",
    baseUrl: "https://example.atlassian.net",
    docsUrl: "https://developer.atlassian.com/cloud/jira/platform/rest/v3/",
    auth: "BASIC",
    healthCheck: { path: "/rest/api/3/myself" },
    rateLimitPerMinute: 300,
    paginationStyle: "page",
  },
  {
    slug: "zendesk",
    name: "Zendesk",
    category: "SUPPORT",
    baseUrl: "https://example.zendesk.com",
    docsUrl: "https://developer.zendesk.com/api-reference/",
    auth: "BASIC",
    healthCheck: { path: "/api/v2/users/me.json" },
    rateLimitPerMinute: 700,
    paginationStyle: "cursor",
  },
  {
    slug: "intercom",
    name: "Intercom",
    category: "SUPPORT",
    baseUrl: "https://api.intercom.io",
    docsUrl: "https://developers.intercom.com/docs/references/rest-api",
    auth: "BEARER_TOKEN",
    healthCheck: { path: "/me" },
    rateLimitPerMinute: 1000,
    paginationStyle: "cursor",
  },
  {
    slug: "pipedrive",
    name: "Pipedrive",
    category: "CRM",
    baseUrl: "https://api.pipedrive.com",
    docsUrl: "https://developers.pipedrive.com/docs/api/v1",
    auth: { type: "API_KEY", placement: "query", name: "api_token" },
    healthCheck: { path: "/v1/users/me" },
    rateLimitPerMinute: 480,
    paginationStyle: "page",
  },
  {
    slug: "google-sheets",
    name: "Google Sheets",
    category: "OTHER",
    baseUrl: "https://sheets.googleapis.com",
    docsUrl: "https://developers.google.com/sheets/api",
    auth: {
      type: "OAUTH2_REFRESH_TOKEN",
      tokenUrl: "https://oauth2.googleapis.com/token",
      scopes: ["https://www.googleapis.com/auth/spreadsheets.readonly"],
    },
    healthCheck: { path: "/$discovery/rest?version=v4" },
    rateLimitPerMinute: 300,
    paginationStyle: null,
  },
];

// Parsed once through the same schema as any import, so a bad catalog entry fails the tests.
let parsed: ProviderDefinition[] | undefined;
function definitions(): ProviderDefinition[] {
  parsed ??= CATALOG.map((entry) => ProviderDefinitionSchema.parse({ ...entry, templateName: entry.slug }));
  return parsed;
}

export function listTemplates(): IntegrationTemplate[] {
  return definitions().map(toTemplate);
}

/** The definition a template makes, for `providers create --from-template <name>`. */
export function templateDefinition(name: string): ProviderDefinition {
  const found = definitions().find((d) => d.slug === name.trim().toLowerCase());
  if (!found)
    throw new NotFoundError(
      `There is no template "${name}".`,
      `See the catalog with: intg providers templates`,
      "TEMPLATE_NOT_FOUND",
    );
  return structuredClone(found);
}

function toTemplate(d: ProviderDefinition): IntegrationTemplate {
  return {
    name: d.slug,
    displayName: d.name,
    category: d.category,
    baseUrl: d.baseUrl,
    docsUrl: d.docsUrl,
    connector: {
      auth: d.auth,
      credentialTokenType: CREDENTIAL_TOKEN_TYPE[d.auth.type],
      healthCheck: { ...d.healthCheck },
      paginationStyle: d.paginationStyle,
      rateLimitPerMinute: d.rateLimitPerMinute,
    },
  };
}
