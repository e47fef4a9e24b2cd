-- AlterTable
ALTER TABLE "IntegrationConnection" ADD COLUMN     "configMac" TEXT;

-- AlterTable
ALTER TABLE "IntegrationProvider" ADD COLUMN     "configMac" TEXT;

-- AlterTable
ALTER TABLE "WebhookEndpoint" ADD COLUMN     "configMac" TEXT;

-- CreateTable
CREATE TABLE "IntegrityKey" (
    "id" TEXT NOT NULL,
    "ciphertext" TEXT NOT NULL,
    "masterKeyId" TEXT NOT NULL,
    "keyedFromSeq" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IntegrityKey_pkey" PRIMARY KEY ("id")
);
