-- AlterTable
ALTER TABLE "WebhookEndpoint" ADD COLUMN     "olderSecretCiphertext" TEXT,
ADD COLUMN     "olderSecretExpiresAt" TIMESTAMP(3);
