import { readFileSync } from "node:fs";
import { describe, expect, expectTypeOf, it } from "vitest";
import * as pgEnums from "../../src/db/generated/postgresql/enums.js";
import * as sqliteEnums from "../../src/db/generated/sqlite/enums.js";
import * as enums from "../../src/types/enums.js";
import type {
  ApiKeyScope,
  ApiKeyStatus,
  AuthenticationType,
  DeliveryChannel,
  DeliveryStatus,
  IntegrationCategory,
  IntegrationConnectionStatus,
  IntegrationEnvironment,
  IntegrationProviderStatus,
  RetentionPolicy,
  TokenType,
} from "../../src/types/enums.js";
import type * as T from "../../src/types/integration/index.js";

// expectTypeOf assertions are checked by the compiler, not at run time; tsconfig.json covers only
// src/, so type-check this file with a config that includes it.

const ENUM_NAMES = [
  "ApiKeyStatus",
  "ApiKeyScope",
  "TokenType",
  "RetentionPolicy",
  "DeliveryStatus",
  "DeliveryChannel",
  "IntegrationCategory",
  "IntegrationConnectionStatus",
  "IntegrationProviderStatus",
  "IntegrationEnvironment",
  "AuthenticationType",
] as const;

const CORE_TYPES = {
  "api.types.ts": [
    "ApiKeyInfo",
    "ExternalApiRequestInfo",
    "ApiAuthConfig",
    "ApiEndpointConfig",
    "ApiClientConfig",
    "ApiResponse",
    "ApiBatchRequest",
    "ApiMetrics",
    "ApiKeyRotationRequest",
    "ApiSecurityAuditEvent",
  ],
  "webhook.types.ts": [
    "WebhookConfig",
    "WebhookRetryConfig",
    "WebhookEndpointInfo",
    "WebhookEventInfo",
    "WebhookDeliveryInfo",
    "WebhookPayload",
    "WebhookDeliveryRequest",
    "WebhookBatchDeliveryRequest",
    "WebhookDeliveryMetrics",
    "WebhookHealthCheckResult",
    "WebhookSecurityValidation",
    "WebhookEventTransformation",
    "WebhookReplayRequest",
    "WebhookDebugInfo",
  ],
  "integration.types.ts": [
    "IntegrationConnectionInfo",
    "IntegrationConnectorInfo",
    "IntegrationProviderExtended",
    "IntegrationSyncJob",
    "IntegrationHealthCheck",
    "IntegrationEvent",
    "IntegrationTemplate",
    "IntegrationAnalytics",
    "IntegrationConfigValidation",
    "IntegrationBackup",
  ],
  "external-reference.types.ts": [
    "ExternalReference",
    "IntegrationMappingInfo",
    "FieldMapping",
    "TransformationRule",
    "ExternalReferenceValidationRule",
    "SyncPreferences",
    "IntegrationProviderInfo",
    "ExternalShareLinkInfo",
    "ExternalReferenceSyncOperation",
    "CrossReferenceLookupResult",
    "ReferenceAuditEntry",
    "BulkReferenceOperation",
    "ReferenceValidationResult",
    "ReferenceMetrics",
  ],
} as const;

const typesDir = new URL("../../src/types/integration/", import.meta.url);
const source = (file: string) => readFileSync(new URL(file, typesDir), "utf8");

describe("enums", () => {
  it("re-exports every Prisma enum, and only those", () => {
    expect(Object.keys(enums).sort()).toEqual([...ENUM_NAMES].sort());
    expect(Object.keys(sqliteEnums).sort()).toEqual([...ENUM_NAMES].sort());
  });

  it("equal the enum objects of both generated clients (the clients agree)", () => {
    expect(Object.keys(pgEnums).sort()).toEqual(Object.keys(sqliteEnums).sort());
    for (const name of ENUM_NAMES) {
      expect(enums[name]).toBe(sqliteEnums[name]);
      expect(enums[name]).toEqual(pgEnums[name]);
      expect(Object.keys(enums[name]).length).toBeGreaterThan(0);
    }
    expectTypeOf<typeof enums.ApiKeyStatus>().toEqualTypeOf<typeof pgEnums.ApiKeyStatus>();
    expectTypeOf<typeof enums.AuthenticationType>().toEqualTypeOf<typeof pgEnums.AuthenticationType>();
    expectTypeOf<enums.IntegrationConnectionStatus>().toEqualTypeOf<pgEnums.IntegrationConnectionStatus>();
  });
});

describe("enum-backed fields use the Prisma enum types", () => {
  it("covers all eleven enums", () => {
    expectTypeOf<T.ApiKeyInfo["status"]>().toEqualTypeOf<ApiKeyStatus>();
    expectTypeOf<keyof T.ApiMetrics["keysByStatus"]>().toEqualTypeOf<ApiKeyStatus>();
    expectTypeOf<T.ApiKeyInfo["scopes"]>().toEqualTypeOf<ApiKeyScope[]>();
    expectTypeOf<NonNullable<T.ApiKeyFilter["scopes"]>>().toEqualTypeOf<ApiKeyScope[]>();
    expectTypeOf<T.IntegrationSecretInfo["tokenType"]>().toEqualTypeOf<TokenType>();
    expectTypeOf<T.IntegrationConnectorInfo["credentialTokenType"]>().toEqualTypeOf<TokenType | null>();
    expectTypeOf<T.WebhookConfig["retentionPolicy"]>().toEqualTypeOf<RetentionPolicy>();
    expectTypeOf<T.WebhookEndpointInfo["retentionPolicy"]>().toEqualTypeOf<RetentionPolicy>();
    expectTypeOf<T.WebhookDeliveryInfo["status"]>().toEqualTypeOf<DeliveryStatus>();
    expectTypeOf<Extract<T.WebhookReplayRequest["selector"], { kind: "filter" }>["status"]>().toEqualTypeOf<
      DeliveryStatus[]
    >();
    expectTypeOf<T.WebhookEndpointInfo["channel"]>().toEqualTypeOf<DeliveryChannel>();
    expectTypeOf<T.IntegrationProviderInfo["category"]>().toEqualTypeOf<IntegrationCategory>();
    expectTypeOf<T.IntegrationTemplate["category"]>().toEqualTypeOf<IntegrationCategory>();
    expectTypeOf<T.IntegrationConnectionInfo["status"]>().toEqualTypeOf<IntegrationConnectionStatus>();
    expectTypeOf<T.IntegrationHealthCheck["status"]>().toEqualTypeOf<IntegrationConnectionStatus>();
    expectTypeOf<T.IntegrationProviderInfo["status"]>().toEqualTypeOf<IntegrationProviderStatus>();
    expectTypeOf<T.IntegrationConnectionInfo["environment"]>().toEqualTypeOf<IntegrationEnvironment>();
    expectTypeOf<T.ApiAuthConfig["type"]>().toEqualTypeOf<AuthenticationType>();
    expectTypeOf<T.IntegrationProviderExtended["connector"]["auth"]["type"]>().toEqualTypeOf<AuthenticationType>();
  });

  it("has one ApiAuthConfig variant per AuthenticationType, narrowing on type", () => {
    const configs: Record<AuthenticationType, T.ApiAuthConfig> = {
      NONE: { type: enums.AuthenticationType.NONE },
      API_KEY: { type: enums.AuthenticationType.API_KEY, placement: "header", name: "X-API-Key" },
      BEARER_TOKEN: { type: enums.AuthenticationType.BEARER_TOKEN },
      BASIC: { type: enums.AuthenticationType.BASIC },
      OAUTH2_CLIENT_CREDENTIALS: {
        type: enums.AuthenticationType.OAUTH2_CLIENT_CREDENTIALS,
        tokenUrl: "https://auth.example.com/token",
        scopes: [],
      },
      OAUTH2_REFRESH_TOKEN: {
        type: enums.AuthenticationType.OAUTH2_REFRESH_TOKEN,
        tokenUrl: "https://auth.example.com/token",
        scopes: ["read"],
      },
      HMAC: { type: enums.AuthenticationType.HMAC, headerName: "X-Signature", algorithm: "sha256", encoding: "hex" },
    };
    for (const [type, config] of Object.entries(configs)) expect(config.type).toBe(type);
    expect(Object.keys(configs).sort()).toEqual(Object.values(enums.AuthenticationType).sort());
    expectTypeOf<Extract<T.ApiAuthConfig, { type: "API_KEY" }>>().toHaveProperty("placement");
    expectTypeOf<Extract<T.ApiAuthConfig, { type: "NONE" }>>().not.toHaveProperty("placement");
  });

  it("offers a chat transformation for every channel but HTTP", () => {
    expectTypeOf<Extract<T.WebhookEventTransformation, { kind: "chat_message" }>["format"]>().toEqualTypeOf<
      Exclude<DeliveryChannel, "HTTP">
    >();
  });
});

describe("discriminated unions", () => {
  it("TransformationRule has exactly the built-in kinds plus jsonata", () => {
    const rules: T.TransformationRule[] = [
      { kind: "trim", field: "name" },
      { kind: "lowercase", field: "email" },
      { kind: "uppercase", field: "country" },
      { kind: "date_format", field: "createdAt", from: null, to: "iso" },
      { kind: "enum_map", field: "stage", map: { won: "CLOSED" }, otherwise: "keep" },
      { kind: "default", field: "tier", value: "free" },
      { kind: "jsonata", field: null, expression: "$merge([$, {'source': 'crm'}])" },
    ];
    const kinds = ["trim", "lowercase", "uppercase", "date_format", "enum_map", "default", "jsonata"] as const;
    expect(rules.map((r) => r.kind)).toEqual(kinds);
    expectTypeOf<T.TransformationRule["kind"]>().toEqualTypeOf<(typeof kinds)[number]>();
  });

  it("validation results carry a record or issues, never both", () => {
    expectTypeOf<Extract<T.ReferenceValidationResult, { valid: true }>["record"]>().toEqualTypeOf<T.JsonObject>();
    expectTypeOf<Extract<T.ReferenceValidationResult, { valid: false }>["record"]>().toEqualTypeOf<null>();
    expectTypeOf<Extract<T.WebhookSecurityValidation, { valid: true }>["failure"]>().toEqualTypeOf<null>();
    expectTypeOf<
      Extract<T.WebhookSecurityValidation, { valid: false }>["failure"]
    >().toEqualTypeOf<T.WebhookVerificationFailure>();
  });
});

// ─── No secret on any view ────────────────────────────────────────────────────────────────────

/** Every property name declared anywhere inside T (objects, arrays, unions), to a fixed depth. */
type DeepKeys<V, Depth extends unknown[] = []> = Depth["length"] extends 6
  ? never
  : V extends readonly (infer U)[]
    ? DeepKeys<U, [...Depth, unknown]>
    : V extends object
      ? string extends keyof V
        ? never // index signatures (Json maps, header maps) declare no names
        : { [K in keyof V]-?: K | DeepKeys<V[K], [...Depth, unknown]> }[keyof V]
      : never;

/** Names that would carry a key hash, a plaintext secret or a ciphertext. */
type SecretKey =
  | "hash"
  | "keyHash"
  | "tokenHash"
  | "key"
  | "secret"
  | "token"
  | "plaintext"
  | "password"
  | "clientSecret"
  | "accessToken"
  | "refreshToken"
  | "ciphertext"
  | "secretCiphertext"
  | "previousSecretCiphertext"
  | "olderSecretCiphertext";
type Leaks<V> = Extract<DeepKeys<V>, SecretKey>;

interface Views {
  ApiKeyInfo: T.ApiKeyInfo;
  ExternalApiRequestInfo: T.ExternalApiRequestInfo;
  ApiAuthConfig: T.ApiAuthConfig;
  ApiEndpointConfig: T.ApiEndpointConfig;
  ApiClientConfig: T.ApiClientConfig;
  ApiResponse: T.ApiResponse;
  ApiBatchRequest: T.ApiBatchRequest;
  ApiMetrics: T.ApiMetrics;
  ApiKeyRotationRequest: T.ApiKeyRotationRequest;
  ApiSecurityAuditEvent: T.ApiSecurityAuditEvent;
  IntegrationSecretInfo: T.IntegrationSecretInfo;
  WebhookConfig: T.WebhookConfig;
  WebhookRetryConfig: T.WebhookRetryConfig;
  WebhookEndpointInfo: T.WebhookEndpointInfo;
  WebhookEventInfo: T.WebhookEventInfo;
  WebhookDeliveryInfo: T.WebhookDeliveryInfo;
  WebhookPayload: T.WebhookPayload;
  WebhookDeliveryRequest: T.WebhookDeliveryRequest;
  WebhookBatchDeliveryRequest: T.WebhookBatchDeliveryRequest;
  WebhookDeliveryMetrics: T.WebhookDeliveryMetrics;
  WebhookHealthCheckResult: T.WebhookHealthCheckResult;
  WebhookSecurityValidation: T.WebhookSecurityValidation;
  WebhookListenEvent: T.WebhookListenEvent;
  WebhookEventTransformation: T.WebhookEventTransformation;
  WebhookReplayRequest: T.WebhookReplayRequest;
  WebhookReplayPlan: T.WebhookReplayPlan;
  WebhookDebugInfo: T.WebhookDebugInfo;
  IntegrationConnectionInfo: T.IntegrationConnectionInfo;
  IntegrationConnectorInfo: T.IntegrationConnectorInfo;
  IntegrationProviderExtended: T.IntegrationProviderExtended;
  IntegrationSyncJob: T.IntegrationSyncJob;
  IntegrationHealthCheck: T.IntegrationHealthCheck;
  IntegrationEvent: T.IntegrationEvent;
  IntegrationTemplate: T.IntegrationTemplate;
  IntegrationAnalytics: T.IntegrationAnalytics;
  IntegrationConfigValidation: T.IntegrationConfigValidation;
  // The backup file carries credentials on purpose, as one passphrase-encrypted envelope in
  // `secrets`; everything else in it is views and must be as clean as they are.
  IntegrationBackup: Omit<T.IntegrationBackup, "secrets">;
  ExternalReference: T.ExternalReference;
  IntegrationMappingInfo: T.IntegrationMappingInfo;
  FieldMapping: T.FieldMapping;
  TransformationRule: T.TransformationRule;
  ExternalReferenceValidationRule: T.ExternalReferenceValidationRule;
  SyncPreferences: T.SyncPreferences;
  IntegrationProviderInfo: T.IntegrationProviderInfo;
  ExternalShareLinkInfo: T.ExternalShareLinkInfo;
  ExternalReferenceSyncOperation: T.ExternalReferenceSyncOperation;
  CrossReferenceLookupResult: T.CrossReferenceLookupResult;
  ReferenceAuditEntry: T.ReferenceAuditEntry;
  BulkReferenceOperation: T.BulkReferenceOperation;
  ReferenceValidationResult: T.ReferenceValidationResult;
  ReferenceMetrics: T.ReferenceMetrics;
}

describe("views carry no secret", () => {
  it("the deep key check finds a nested secret (it is not vacuous)", () => {
    expectTypeOf<Leaks<{ a: { b: { hash: string }[] } }>>().toEqualTypeOf<"hash">();
    expectTypeOf<Leaks<{ a: { type: "x"; secret: string } | { type: "y" } }>>().toEqualTypeOf<"secret">();
    expectTypeOf<Leaks<T.ApiKeyCreated>>().toEqualTypeOf<"key">();
  });

  it("no view declares a secret-bearing key, at any depth", () => {
    // Names the leaking views in the type error, if any.
    type Leaking = { [N in keyof Views as [Leaks<Views[N]>] extends [never] ? never : N]: Leaks<Views[N]> };
    expectTypeOf<Leaking>().toEqualTypeOf<{}>();
    expectTypeOf<T.ApiKeyInfo>().not.toHaveProperty("hash");
    expectTypeOf<T.ApiKeyInfo>().not.toHaveProperty("key");
    expectTypeOf<T.WebhookEndpointInfo>().not.toHaveProperty("secretCiphertext");
    expectTypeOf<T.WebhookEndpointInfo>().not.toHaveProperty("secret");
    expectTypeOf<T.IntegrationSecretInfo>().not.toHaveProperty("ciphertext");
    expectTypeOf<T.ExternalShareLinkInfo>().not.toHaveProperty("tokenHash");
  });

  it("the creation results add exactly the one-time secret", () => {
    expectTypeOf<Exclude<keyof T.ApiKeyCreated, keyof T.ApiKeyInfo>>().toEqualTypeOf<"key">();
    expectTypeOf<Exclude<keyof T.WebhookEndpointCreated, keyof T.WebhookEndpointInfo>>().toEqualTypeOf<"secret">();
    expectTypeOf<Exclude<keyof T.ExternalShareLinkCreated, keyof T.ExternalShareLinkInfo>>().toEqualTypeOf<"token">();
  });

  it("views are their own JSON: dates are ISO strings, so a round trip changes nothing", () => {
    expectTypeOf<T.ApiKeyInfo["createdAt"]>().toEqualTypeOf<string>();
    const created = new Date("2026-01-02T03:04:05.000Z").toISOString();
    const view: T.ApiKeyInfo = {
      id: "key_01KDZQ5Y0000000000000000AB",
      name: "ci",
      prefix: "intg",
      environment: "test",
      start: "intg_test_ab",
      end: "wxyz",
      formatVersion: 1,
      status: enums.ApiKeyStatus.ACTIVE,
      scopes: [enums.ApiKeyScope.READ, enums.ApiKeyScope.WEBHOOKS],
      ownerId: null,
      metadata: { team: "platform" },
      expiresAt: null,
      graceEndsAt: null,
      revokedAt: null,
      revokedReason: null,
      lastUsedAt: null,
      useCount: 0,
      rotatedFromId: null,
      rotatedToId: null,
      createdAt: created,
      updatedAt: created,
    };
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
  });
});

describe("the barrel", () => {
  it("each file exports its core types by their exact names", () => {
    let count = 0;
    for (const [file, names] of Object.entries(CORE_TYPES)) {
      const text = source(file);
      for (const name of names) {
        expect(text, `${file} exports ${name}`).toMatch(new RegExp(`^export (interface|type) ${name}\\b`, "m"));
        count++;
      }
    }
    expect(count).toBe(48);
  });

  it("index.ts re-exports all four files", () => {
    const index = source("index.ts");
    for (const file of Object.keys(CORE_TYPES)) {
      const module = file.replace(/\.ts$/, ".js");
      expect(index).toMatch(new RegExp(`^export (type )?\\* from "\\./${module.replace(/\./g, "\\.")}";$`, "m"));
    }
  });
});
