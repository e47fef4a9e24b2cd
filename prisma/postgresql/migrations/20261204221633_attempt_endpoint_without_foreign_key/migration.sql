-- DropForeignKey
ALTER TABLE "WebhookDeliveryAttempt" DROP CONSTRAINT "WebhookDeliveryAttempt_endpointId_fkey";
