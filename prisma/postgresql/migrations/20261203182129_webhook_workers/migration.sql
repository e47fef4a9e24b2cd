-- CreateTable
CREATE TABLE "WebhookWorker" (
    "id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "lanesTotal" INTEGER NOT NULL,
    "lanesBusy" INTEGER NOT NULL DEFAULT 0,
    "leaseMs" INTEGER NOT NULL,
    "heartbeatMs" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "lastHeartbeatAt" TIMESTAMP(3) NOT NULL,
    "lastClaimAt" TIMESTAMP(3),
    "stoppedAt" TIMESTAMP(3),

    CONSTRAINT "WebhookWorker_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WebhookWorker_lastHeartbeatAt_idx" ON "WebhookWorker"("lastHeartbeatAt");
