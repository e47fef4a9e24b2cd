-- AlterTable
ALTER TABLE "ApiKeyVerification" ADD COLUMN     "count" INTEGER NOT NULL DEFAULT 1;
