-- The optional "why?" after unsubscribing (ADR 043).
-- CreateTable
CREATE TABLE "UnsubscribeReason" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "tokenId" TEXT NOT NULL,
    "contactId" INTEGER,
    "unitId" INTEGER NOT NULL,
    "campaignId" INTEGER,
    "reason" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "UnsubscribeReason_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "UnsubscribeReason_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "BusinessUnit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "UnsubscribeReason_tokenId_key" ON "UnsubscribeReason"("tokenId");

-- CreateIndex
CREATE INDEX "UnsubscribeReason_unitId_idx" ON "UnsubscribeReason"("unitId");

-- CreateIndex
CREATE INDEX "UnsubscribeReason_campaignId_idx" ON "UnsubscribeReason"("campaignId");
