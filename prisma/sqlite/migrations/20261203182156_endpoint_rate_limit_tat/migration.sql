-- AlterTable
ALTER TABLE "WebhookEndpoint" ADD COLUMN "rateLimitTat" DATETIME;
