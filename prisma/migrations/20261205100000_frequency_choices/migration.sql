-- "Send me less" (ADR 043).
-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN "frequencyLimitedCount" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "FrequencyChoice" (
    "contactId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "frequency" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("contactId", "unitId"),
    CONSTRAINT "FrequencyChoice_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "FrequencyChoice_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "BusinessUnit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "FrequencyChoice_unitId_idx" ON "FrequencyChoice"("unitId");

-- CreateIndex
CREATE INDEX "Delivery_contactId_sentAt_idx" ON "Delivery"("contactId", "sentAt");
