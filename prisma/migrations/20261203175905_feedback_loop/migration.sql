-- AlterTable
ALTER TABLE "BusinessUnit" ADD COLUMN "bounceDomain" TEXT;

-- CreateTable
CREATE TABLE "InboundMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "via" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "mailFrom" TEXT,
    "rcptTo" TEXT,
    "unitId" INTEGER,
    "campaignId" INTEGER,
    "deliveryId" INTEGER,
    "transactionalMessageId" INTEGER,
    "contactId" INTEGER,
    "recipient" TEXT,
    "status" TEXT,
    "diagnostic" TEXT,
    "effect" TEXT NOT NULL,
    "raw" TEXT,
    "externalId" TEXT,
    CONSTRAINT "InboundMessage_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "BusinessUnit" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "InboundMessage_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "InboundMessage_receivedAt_idx" ON "InboundMessage"("receivedAt");

-- CreateIndex
CREATE INDEX "InboundMessage_unitId_receivedAt_idx" ON "InboundMessage"("unitId", "receivedAt");

-- CreateIndex
CREATE INDEX "InboundMessage_kind_receivedAt_idx" ON "InboundMessage"("kind", "receivedAt");

-- CreateIndex
CREATE INDEX "InboundMessage_campaignId_kind_idx" ON "InboundMessage"("campaignId", "kind");

-- CreateIndex
CREATE INDEX "InboundMessage_contactId_receivedAt_idx" ON "InboundMessage"("contactId", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "InboundMessage_via_externalId_key" ON "InboundMessage"("via", "externalId");

-- CreateIndex
CREATE INDEX "Delivery_messageId_idx" ON "Delivery"("messageId");

-- CreateIndex
CREATE INDEX "TransactionalMessage_messageId_idx" ON "TransactionalMessage"("messageId");
