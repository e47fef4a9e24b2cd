-- AlterTable
ALTER TABLE "ExternalReference" ADD COLUMN     "lastSeenSyncJobId" TEXT;
