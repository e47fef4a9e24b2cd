import type { z } from "zod";
import type { ValidationIssue } from "../../types/common.js";
import { TokenType, type AuthenticationType } from "../../types/enums.js";
import type { ApiAuthConfig } from "../../types/integration/api.types.js";

// What each authentication type takes, and small helpers the provider and connection services
// share. Free of zod at run time: listing commands load this, and zod costs start-up time.

/** zod's issues as the CLI reports them: a JSON path (`providers[2].auth.tokenUrl`) and a message. */
export function toIssues(error: z.ZodError, prefix = ""): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: joinPath(prefix, issue.path), message: issue.message }));
}

export function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out;
}

/** The kind of credential a connection to a provider of this auth type holds. */
export const CREDENTIAL_TOKEN_TYPE: Record<AuthenticationType, TokenType | null> = {
  NONE: null,
  API_KEY: TokenType.API_KEY,
  BEARER_TOKEN: TokenType.BEARER_TOKEN,
  BASIC: TokenType.BASIC_AUTH,
  OAUTH2_CLIENT_CREDENTIALS: TokenType.OAUTH2_CLIENT_SECRET,
  OAUTH2_REFRESH_TOKEN: TokenType.OAUTH2_REFRESH_TOKEN,
  HMAC: TokenType.HMAC_SECRET,
};

/** The auth settings kept in the provider's config column (the type has a column of its own). */
export function authSettings(auth: ApiAuthConfig): Record<string, unknown> {
  const { type: _type, ...rest } = auth;
  return rest;
}

/** How to write a credential of each type, for help and error messages. */
export const CREDENTIAL_FORMAT: Record<AuthenticationType, string> = {
  NONE: "no credential",
  API_KEY: "the API key",
  BEARER_TOKEN: "the token",
  BASIC: 'username:password, or {"username":"…","password":"…"}',
  OAUTH2_CLIENT_CREDENTIALS: '{"clientId":"…","clientSecret":"…"}',
  OAUTH2_REFRESH_TOKEN: '{"clientId":"…","clientSecret":"…" (optional),"refreshToken":"…"}',
  HMAC: "the signing secret",
};
