-- AlterTable
ALTER TABLE "ExternalReference" ADD COLUMN     "linkedBy" TEXT,
ADD COLUMN     "linkedVia" TEXT;

-- AlterTable
ALTER TABLE "ExternalShareLink" ADD COLUMN     "maxUses" INTEGER;

-- CreateTable
CREATE TABLE "ExternalReferenceAudit" (
    "id" TEXT NOT NULL,
    "referenceId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "changes" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ExternalReferenceAudit_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ExternalReferenceAudit_referenceId_createdAt_idx" ON "ExternalReferenceAudit"("referenceId", "createdAt");
