import type { IntegrationSecretInfo } from "../../types/integration/api.types.js";

// How secrets are printed (never their values), so set, show, list and delete agree.

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
