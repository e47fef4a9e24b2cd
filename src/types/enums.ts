// The Prisma enums, as both value objects (for flag parsing: Object.values(ApiKeyScope)) and
// types (for view fields). Every enum-backed field in src/types uses these, never a hand-written
// union, so adding a value to prisma/models.prisma reaches the types, the CLI and the tests at once.
//
// Re-exported from the SQLite client only because the two clients generate identical enum files
// (test/unit/types.test.ts compares both); this file holds plain objects, not the client, so
// importing it costs nothing at start-up.
export {
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
} from "../db/generated/sqlite/enums.js";
