-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ApiKeyVerification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "apiKeyId" TEXT,
    "outcome" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 1,
    "verifiedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ApiKeyVerification_apiKeyId_fkey" FOREIGN KEY ("apiKeyId") REFERENCES "ApiKey" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_ApiKeyVerification" ("apiKeyId", "id", "outcome", "verifiedAt") SELECT "apiKeyId", "id", "outcome", "verifiedAt" FROM "ApiKeyVerification";
DROP TABLE "ApiKeyVerification";
ALTER TABLE "new_ApiKeyVerification" RENAME TO "ApiKeyVerification";
CREATE INDEX "ApiKeyVerification_verifiedAt_outcome_idx" ON "ApiKeyVerification"("verifiedAt", "outcome");
CREATE INDEX "ApiKeyVerification_apiKeyId_verifiedAt_idx" ON "ApiKeyVerification"("apiKeyId", "verifiedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
