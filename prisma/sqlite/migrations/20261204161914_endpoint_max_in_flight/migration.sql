-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_WebhookEndpoint" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "webhookId" TEXT,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "channel" TEXT NOT NULL DEFAULT 'HTTP',
    "eventFilter" JSONB NOT NULL,
    "headers" JSONB,
    "timeoutMs" INTEGER NOT NULL DEFAULT 15000,
    "retrySchedule" JSONB,
    "rateLimitPerSecond" INTEGER,
    "rateLimitTat" DATETIME,
    "maxInFlight" INTEGER NOT NULL DEFAULT 16,
    "transformation" JSONB,
    "secretCiphertext" TEXT NOT NULL,
    "previousSecretCiphertext" TEXT,
    "previousSecretExpiresAt" DATETIME,
    "olderSecretCiphertext" TEXT,
    "olderSecretExpiresAt" DATETIME,
    "allowPrivateNetwork" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "disabledAt" DATETIME,
    "disabledReason" TEXT,
    "lastSuccessAt" DATETIME,
    "failingSince" DATETIME,
    "configMac" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "WebhookEndpoint_webhookId_fkey" FOREIGN KEY ("webhookId") REFERENCES "Webhook" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_WebhookEndpoint" ("allowPrivateNetwork", "channel", "configMac", "createdAt", "description", "disabledAt", "disabledReason", "enabled", "eventFilter", "failingSince", "headers", "id", "lastSuccessAt", "olderSecretCiphertext", "olderSecretExpiresAt", "previousSecretCiphertext", "previousSecretExpiresAt", "rateLimitPerSecond", "rateLimitTat", "retrySchedule", "secretCiphertext", "timeoutMs", "transformation", "updatedAt", "url", "webhookId") SELECT "allowPrivateNetwork", "channel", "configMac", "createdAt", "description", "disabledAt", "disabledReason", "enabled", "eventFilter", "failingSince", "headers", "id", "lastSuccessAt", "olderSecretCiphertext", "olderSecretExpiresAt", "previousSecretCiphertext", "previousSecretExpiresAt", "rateLimitPerSecond", "rateLimitTat", "retrySchedule", "secretCiphertext", "timeoutMs", "transformation", "updatedAt", "url", "webhookId" FROM "WebhookEndpoint";
DROP TABLE "WebhookEndpoint";
ALTER TABLE "new_WebhookEndpoint" RENAME TO "WebhookEndpoint";
CREATE INDEX "WebhookEndpoint_enabled_idx" ON "WebhookEndpoint"("enabled");
CREATE INDEX "WebhookEndpoint_webhookId_idx" ON "WebhookEndpoint"("webhookId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "WebhookDelivery_endpointId_status_nextAttemptAt_idx" ON "WebhookDelivery"("endpointId", "status", "nextAttemptAt");
