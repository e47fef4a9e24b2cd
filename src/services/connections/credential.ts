import { z } from "zod";
import { UsageError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { secretCipherById } from "../../db/queries/integration-secret.js";
import type { SqlClient } from "../../db/sql.js";
import { decrypt } from "../../lib/crypto.js";
import type { AuthenticationType } from "../../types/enums.js";
import { requireKey, type MasterKeyRing } from "../secrets/master-key.js";
import { CREDENTIAL_FORMAT } from "../providers/connector.js";

// What a connection's credential holds, by its provider's authentication type. Single-value
// credentials are the value itself; the others are small JSON documents. The text is checked
// here, before anything is written, and no message ever repeats it.

export type Credential =
  | { kind: "none" }
  | { kind: "value"; value: string }
  | { kind: "basic"; username: string; password: string }
  | { kind: "client"; clientId: string; clientSecret: string }
  | { kind: "refresh"; clientId: string; clientSecret: string | null; refreshToken: string };

const Client = z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) }).strict();
const Refresh = z
  .object({ clientId: z.string().min(1), clientSecret: z.string().min(1).optional(), refreshToken: z.string().min(1) })
  .strict();
const Basic = z.object({ username: z.string().min(1), password: z.string() }).strict();

function json(text: string, type: AuthenticationType): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(type, "it is not JSON");
  }
}

function invalid(type: AuthenticationType, why: string): UsageError {
  return new UsageError(
    `The credential for ${type.toLowerCase()} is not valid: ${why}; nothing was written.`,
    `Give ${CREDENTIAL_FORMAT[type]}.`,
    "INVALID_CREDENTIAL",
  );
}

function fields<T>(schema: z.ZodType<T>, text: string, type: AuthenticationType): T {
  const parsed = schema.safeParse(json(text, type));
  // Only the paths are named: a message could quote a value.
  if (!parsed.success)
    throw invalid(
      type,
      `check ${[...new Set(parsed.error.issues.map((i) => i.path.join(".") || "the document"))].join(", ")}`,
    );
  return parsed.data;
}

/** Parses the text read from stdin, a file or a variable into a credential of the auth type. */
export function parseCredential(type: AuthenticationType, text: string): Credential {
  switch (type) {
    case "NONE":
      return { kind: "none" };
    case "API_KEY":
    case "BEARER_TOKEN":
    case "HMAC":
      if (/[\r\n]/.test(text)) throw invalid(type, "it spans several lines");
      return { kind: "value", value: text };
    case "BASIC": {
      if (text.trimStart().startsWith("{")) return { kind: "basic", ...fields(Basic, text, type) };
      const colon = text.indexOf(":");
      if (colon <= 0) throw invalid(type, "expected username:password");
      return { kind: "basic", username: text.slice(0, colon), password: text.slice(colon + 1) };
    }
    case "OAUTH2_CLIENT_CREDENTIALS":
      return { kind: "client", ...fields(Client, text, type) };
    case "OAUTH2_REFRESH_TOKEN": {
      const r = fields(Refresh, text, type);
      return {
        kind: "refresh",
        clientId: r.clientId,
        clientSecret: r.clientSecret ?? null,
        refreshToken: r.refreshToken,
      };
    }
  }
}

/** The text sealed in the IntegrationSecret: one canonical form per kind. */
export function serialiseCredential(c: Credential): string {
  if (c.kind === "value") return c.value;
  const { kind: _kind, ...rest } = c;
  return JSON.stringify(Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null)));
}

export function deserialiseCredential(type: AuthenticationType, text: string): Credential {
  if (type === "BASIC") return { kind: "basic", ...(JSON.parse(text) as { username: string; password: string }) };
  return parseCredential(type, text);
}

/** Secret names: one per connection for its credential, one for its cached OAuth2 access token. */
export const credentialSecretName = (connectionId: string) => `connection/${connectionId}`;
export const accessTokenSecretName = (connectionId: string) => `connection/${connectionId}/access-token`;

/** Decrypts a secret row's value; only the connection client calls this, just before a request. */
export async function openSecretValue(
  sql: SqlClient,
  ring: MasterKeyRing,
  secretId: string,
): Promise<{ value: string; expiresAt: Date | null } | undefined> {
  const row = await secretCipherById(typed(sql), secretId);
  if (!row) return undefined;
  const label = `Secret "${row.name}" (${row.id})`;
  const value = decrypt((id) => requireKey(ring, id, label), row.ciphertext, row.id, label);
  return { value, expiresAt: row.expiresAt };
}
