-- AlterTable
ALTER TABLE "ExternalReference" ADD COLUMN "linkedBy" TEXT;
ALTER TABLE "ExternalReference" ADD COLUMN "linkedVia" TEXT;

-- AlterTable
ALTER TABLE "ExternalShareLink" ADD COLUMN "maxUses" INTEGER;

-- CreateTable
CREATE TABLE "ExternalReferenceAudit" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "referenceId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "changes" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "ExternalReferenceAudit_referenceId_createdAt_idx" ON "ExternalReferenceAudit"("referenceId", "createdAt");
