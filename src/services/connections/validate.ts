import { z } from "zod";
import { AuthenticationType, IntegrationProviderStatus } from "../../db/generated/kysely/enums.js";
import { typed } from "../../db/kysely.js";
import { providerByRef } from "../../db/queries/integration-provider.js";
import type { SqlClient } from "../../db/sql.js";
import type { ValidationIssue } from "../../types/common.js";
import { IntegrationEnvironment } from "../../types/enums.js";
import type { IntegrationConfigValidation } from "../../types/integration/integration.types.js";
import { joinPath } from "../providers/connector.js";

// `connections validate <config.json>`: a file describing connections, checked all at once so a
// CI job sees every problem in one run. The file names where credentials come from (a variable or
// a file), never the credentials themselves.

const Env = z.preprocess(
  (v) => (typeof v === "string" ? v.trim().toUpperCase() : v),
  z.enum(Object.values(IntegrationEnvironment) as [IntegrationEnvironment, ...IntegrationEnvironment[]]),
);
const Scalar = z.union([z.string(), z.number(), z.boolean()]);

export const ConnectionConfigSchema = z
  .object({
    provider: z.string().min(1),
    environment: Env,
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
        "must be 1-100 letters, digits and . _ -, starting with a letter or digit",
      ),
    config: z.record(z.string(), Scalar).optional(),
    rateLimitPerMinute: z.number().int().positive().nullable().optional(),
    credential: z
      .union([
        z
          .object({ fromEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name") })
          .strict(),
        z.object({ fromFile: z.string().min(1) }).strict(),
      ])
      .optional(),
  })
  .strict();

const FileSchema = z.union([z.object({ connections: z.array(z.unknown()) }).strict(), z.array(z.unknown())]);

export type ConnectionConfig = z.output<typeof ConnectionConfigSchema>;

/** The file's entries with their paths; a lone connection object is read as a one-entry file. */
export function connectionEntries(data: unknown): { at: string; entry: unknown }[] {
  const file = FileSchema.safeParse(data);
  if (!file.success) return [{ at: "", entry: data }];
  return Array.isArray(file.data)
    ? file.data.map((entry, i) => ({ at: `[${i}]`, entry }))
    : file.data.connections.map((entry, i) => ({ at: `connections[${i}]`, entry }));
}

/**
 * Checks every entry; with a database (a service context, or its client), also that each names a
 * provider that takes the credential it gives. Null checks the file alone (--offline).
 */
export async function validateConnectionConfig(
  on: { sql: SqlClient } | SqlClient | null,
  data: unknown,
): Promise<IntegrationConfigValidation> {
  const db = on === null ? null : typed("sql" in on ? on.sql : on);
  const issues: ValidationIssue[] = [];
  const seen = new Map<string, string>();
  for (const { at, entry } of connectionEntries(data)) {
    const parsed = ConnectionConfigSchema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) issues.push({ path: joinPath(at, issue.path), message: issue.message });
      continue;
    }
    const c = parsed.data;
    const key = `${c.provider}/${c.environment}/${c.name}`;
    if (seen.has(key))
      issues.push({
        path: joinPath(at, ["name"]),
        message: `duplicates ${seen.get(key)} (same provider, environment and name)`,
      });
    else seen.set(key, at || "the file");
    if (!db) continue;
    const provider = await providerByRef(db, c.provider);
    const none = provider?.authType === AuthenticationType.NONE;
    if (!provider) issues.push({ path: joinPath(at, ["provider"]), message: `there is no provider "${c.provider}"` });
    else if (provider.status === IntegrationProviderStatus.DISABLED)
      issues.push({ path: joinPath(at, ["provider"]), message: `the provider "${c.provider}" is disabled` });
    else if (none && c.credential)
      issues.push({
        path: joinPath(at, ["credential"]),
        message: "the provider authenticates with none: remove the credential",
      });
    else if (!none && !c.credential)
      issues.push({
        path: joinPath(at, ["credential"]),
        message: `required for ${provider.authType.toLowerCase()}: {"fromEnv": "VAR"} or {"fromFile": "path"}`,
      });
  }
  return { valid: issues.length === 0, issues };
}
