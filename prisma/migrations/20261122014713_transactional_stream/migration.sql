-- DropIndex
DROP INDEX "TransactionalMessage_status_createdAt_idx";

-- AlterTable
ALTER TABLE "BusinessUnit" ADD COLUMN "serviceFromEmail" TEXT;

-- AlterTable
ALTER TABLE "ExemptCategory" ADD COLUMN "effectiveAt" DATETIME;

-- AlterTable
ALTER TABLE "TransactionalMessage" ADD COLUMN "nextAttemptAt" DATETIME;

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "unitId" INTEGER NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "prefix" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME,
    CONSTRAINT "ApiKey_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "BusinessUnit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_keyHash_key" ON "ApiKey"("keyHash");

-- CreateIndex
CREATE INDEX "ApiKey_unitId_idx" ON "ApiKey"("unitId");

-- CreateIndex
CREATE INDEX "TransactionalMessage_status_nextAttemptAt_idx" ON "TransactionalMessage"("status", "nextAttemptAt");
