-- AlterTable
ALTER TABLE "WebhookEndpoint" ADD COLUMN     "rateLimitTat" TIMESTAMP(3);
