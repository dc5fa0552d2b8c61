-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN "audienceRule" TEXT;
ALTER TABLE "Campaign" ADD COLUMN "leaseOwner" TEXT;
ALTER TABLE "Campaign" ADD COLUMN "leaseUntil" DATETIME;
ALTER TABLE "Campaign" ADD COLUMN "pausedReason" TEXT;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Delivery" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "contactId" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "messageId" TEXT,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME,
    CONSTRAINT "Delivery_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Delivery_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Delivery" ("campaignId", "contactId", "createdAt", "error", "id", "messageId", "sentAt", "status") SELECT "campaignId", "contactId", "createdAt", "error", "id", "messageId", "sentAt", "status" FROM "Delivery";
DROP TABLE "Delivery";
ALTER TABLE "new_Delivery" RENAME TO "Delivery";
CREATE INDEX "Delivery_campaignId_status_idx" ON "Delivery"("campaignId", "status");
CREATE INDEX "Delivery_campaignId_sentAt_idx" ON "Delivery"("campaignId", "sentAt");
CREATE UNIQUE INDEX "Delivery_campaignId_contactId_key" ON "Delivery"("campaignId", "contactId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
