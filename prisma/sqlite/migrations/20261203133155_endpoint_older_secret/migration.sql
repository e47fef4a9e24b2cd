-- AlterTable
ALTER TABLE "WebhookEndpoint" ADD COLUMN "olderSecretCiphertext" TEXT;
ALTER TABLE "WebhookEndpoint" ADD COLUMN "olderSecretExpiresAt" DATETIME;
