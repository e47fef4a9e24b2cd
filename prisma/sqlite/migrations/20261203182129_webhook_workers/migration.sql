-- CreateTable
CREATE TABLE "WebhookWorker" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "lanesTotal" INTEGER NOT NULL,
    "lanesBusy" INTEGER NOT NULL DEFAULT 0,
    "leaseMs" INTEGER NOT NULL,
    "heartbeatMs" INTEGER NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "lastHeartbeatAt" DATETIME NOT NULL,
    "lastClaimAt" DATETIME,
    "stoppedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "WebhookWorker_lastHeartbeatAt_idx" ON "WebhookWorker"("lastHeartbeatAt");
