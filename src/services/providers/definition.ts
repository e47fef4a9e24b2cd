import { z } from "zod";
import { ResourcesSchema } from "../sync/resource.js";
import { AuthenticationType, IntegrationCategory, IntegrationProviderStatus } from "../../types/enums.js";

// A provider as a file holds it (`providers import|export`) and as create/update take it. One zod
// schema checks every way in, so a template, a flag and an imported file obey the same rules.

/** Enum values are written in any case, with - or _: `oauth2-client-credentials`. */
const enumOf = <T extends Record<string, string>>(values: T) =>
  z.preprocess(
    (v) => (typeof v === "string" ? v.trim().toUpperCase().replace(/-/g, "_") : v),
    z.enum(Object.values(values) as [T[keyof T], ...T[keyof T][]]),
  );

const httpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === "http:" || u.protocol === "https:") && !u.username && !u.password;
  } catch {
    return false;
  }
}, "must be an http(s) URL without credentials");

const scopes = z.array(z.string().min(1)).default([]);
export const AuthSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal(AuthenticationType.NONE) }),
  z.object({
    type: z.literal(AuthenticationType.API_KEY),
    placement: z.enum(["header", "query"]).default("header"),
    name: z.string().min(1).max(100).default("X-API-Key"),
  }),
  z.object({ type: z.literal(AuthenticationType.BEARER_TOKEN) }),
  z.object({ type: z.literal(AuthenticationType.BASIC) }),
  z.object({ type: z.literal(AuthenticationType.OAUTH2_CLIENT_CREDENTIALS), tokenUrl: httpUrl, scopes }),
  z.object({ type: z.literal(AuthenticationType.OAUTH2_REFRESH_TOKEN), tokenUrl: httpUrl, scopes }),
  z.object({
    type: z.literal(AuthenticationType.HMAC),
    headerName: z.string().min(1).default("X-Signature"),
    algorithm: z.enum(["sha256", "sha512"]).default("sha256"),
    encoding: z.enum(["hex", "base64"]).default("hex"),
  }),
]);

const authInput = z.preprocess((v) => {
  // `auth: "bearer_token"` is shorthand for `auth: { type: "BEARER_TOKEN" }`.
  const o = typeof v === "string" ? { type: v } : v;
  if (o && typeof o === "object" && typeof (o as { type?: unknown }).type === "string") {
    return { ...o, type: (o as { type: string }).type.trim().toUpperCase().replace(/-/g, "_") };
  }
  return o;
}, AuthSchema);

export const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const ProviderDefinitionSchema = z
  .object({
    slug: z.string().regex(SLUG, "must be 1-63 lowercase letters, digits and -, starting with a letter or digit"),
    name: z.string().trim().min(1).max(200),
    category: enumOf(IntegrationCategory),
    status: enumOf(IntegrationProviderStatus).default(IntegrationProviderStatus.ACTIVE),
    baseUrl: httpUrl,
    docsUrl: httpUrl.nullable().default(null),
    auth: authInput,
    healthCheck: z
      .object({
        method: z
          .string()
          .regex(/^[A-Za-z]{1,16}$/, "must be an HTTP method")
          .transform((s) => s.toUpperCase())
          .default("GET"),
        path: z.string().startsWith("/", "must start with /").default("/"),
        expectedStatus: z.number().int().min(100).max(599).default(200),
      })
      .prefault({}),
    rateLimitPerMinute: z.number().int().positive().nullable().default(null),
    paginationStyle: z.enum(["page", "cursor", "link"]).nullable().default(null),
    /** DESIGN §6: a provider whose base URL is private (a test double, an on-premise API) must say so. */
    allowPrivateNetwork: z.boolean().default(false),
    templateName: z.string().nullable().default(null),
    /** What `connections sync --resource` can pull (src/services/sync/resource.ts); absent when none. */
    resources: ResourcesSchema.optional(),
  })
  .strict();

export type ProviderDefinition = z.output<typeof ProviderDefinitionSchema>;
export type ProviderDefinitionInput = z.input<typeof ProviderDefinitionSchema>;

/** The export file: versioned, so a later format can still read it (style anchors rule 11). */
export const ProviderFileSchema = z.union([
  z.object({ format: z.literal("intg-providers"), version: z.literal(1), providers: z.array(z.unknown()) }),
  z.array(z.unknown()),
]);
