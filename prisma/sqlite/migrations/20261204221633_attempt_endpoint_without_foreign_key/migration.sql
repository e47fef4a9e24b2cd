-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_WebhookDeliveryAttempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "deliveryId" TEXT NOT NULL,
    "endpointId" TEXT NOT NULL,
    "attemptNumber" INTEGER NOT NULL,
    "trigger" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "statusCode" INTEGER,
    "responseHeaders" JSONB,
    "responseBody" TEXT,
    "error" TEXT,
    "succeeded" BOOLEAN NOT NULL,
    "requestHeaders" JSONB,
    "requestBody" TEXT,
    CONSTRAINT "WebhookDeliveryAttempt_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "WebhookDelivery" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_WebhookDeliveryAttempt" ("attemptNumber", "deliveryId", "durationMs", "endpointId", "error", "id", "requestBody", "requestHeaders", "responseBody", "responseHeaders", "startedAt", "statusCode", "succeeded", "trigger") SELECT "attemptNumber", "deliveryId", "durationMs", "endpointId", "error", "id", "requestBody", "requestHeaders", "responseBody", "responseHeaders", "startedAt", "statusCode", "succeeded", "trigger" FROM "WebhookDeliveryAttempt";
DROP TABLE "WebhookDeliveryAttempt";
ALTER TABLE "new_WebhookDeliveryAttempt" RENAME TO "WebhookDeliveryAttempt";
CREATE INDEX "WebhookDeliveryAttempt_deliveryId_attemptNumber_idx" ON "WebhookDeliveryAttempt"("deliveryId", "attemptNumber");
CREATE INDEX "WebhookDeliveryAttempt_endpointId_startedAt_idx" ON "WebhookDeliveryAttempt"("endpointId", "startedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
