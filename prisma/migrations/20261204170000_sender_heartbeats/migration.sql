-- CreateTable
CREATE TABLE "Sender" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "beatAt" DATETIME NOT NULL,
    "campaignId" INTEGER
);

-- CreateIndex
CREATE INDEX "Sender_beatAt_idx" ON "Sender"("beatAt");

