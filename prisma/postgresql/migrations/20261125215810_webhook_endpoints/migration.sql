-- AlterTable
ALTER TABLE "WebhookDeliveryAttempt" ADD COLUMN     "requestHeaders" JSONB;

-- AlterTable
ALTER TABLE "WebhookEndpoint" ADD COLUMN     "allowPrivateNetwork" BOOLEAN NOT NULL DEFAULT false;
