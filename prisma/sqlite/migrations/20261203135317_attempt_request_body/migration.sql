-- AlterTable
ALTER TABLE "WebhookDeliveryAttempt" ADD COLUMN "requestBody" TEXT;
