-- AlterTable
ALTER TABLE "WebhookEndpoint" ADD COLUMN     "maxInFlight" INTEGER NOT NULL DEFAULT 16;

-- CreateIndex
CREATE INDEX "WebhookDelivery_endpointId_status_nextAttemptAt_idx" ON "WebhookDelivery"("endpointId", "status", "nextAttemptAt");
