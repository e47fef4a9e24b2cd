import { UsageError } from "../../errors.js";
import { TokenType } from "../../types/enums.js";
import type { IntegrationSecretInfo } from "../../types/integration/api.types.js";

// What the secrets verbs share: the token type flag, reading a value without a flag, rendering.

export const TOKEN_TYPES = Object.values(TokenType) as TokenType[];

/** `--type bearer-token`, `--type BEARER_TOKEN`: case and - versus _ do not matter. */
export function parseTokenType(text: string): TokenType {
  const wanted = text.trim().toUpperCase().replace(/-/g, "_");
  const found = TOKEN_TYPES.find((t) => t === wanted);
  if (!found)
    throw new UsageError(
      `Unknown token type "${text}"; nothing was written.`,
      `Use one of: ${TOKEN_TYPES.join(", ")}.`,
      "INVALID_TOKEN_TYPE",
    );
  return found;
}

export interface ValueSource {
  fromFile?: string;
  fromEnv?: string;
}

export function secretDetails(s: IntegrationSecretInfo): [string, string | null][] {
  return [
    ["id", s.id],
    ["name", s.name],
    ["type", s.tokenType],
    ["master key", s.masterKeyId],
    ["expires", s.expiresAt ?? "never"],
    ["rotated", s.rotatedAt ?? "never"],
    ["created", s.createdAt],
    ["updated", s.updatedAt],
  ];
}

export const SECRET_HEADERS = ["NAME", "ID", "TYPE", "MASTER KEY", "EXPIRES", "UPDATED"];

export function secretRow(s: IntegrationSecretInfo): string[] {
  return [s.name, s.id, s.tokenType, s.masterKeyId, s.expiresAt ?? "never", s.updatedAt];
}
