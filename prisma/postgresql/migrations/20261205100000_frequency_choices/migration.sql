-- "Send me less" (ADR 043).
-- CreateEnum
CREATE TYPE "Frequency" AS ENUM ('WEEKLY', 'MONTHLY');

-- AlterEnum
ALTER TYPE "ConsentAction" ADD VALUE 'FREQUENCY_SET';

-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN "frequencyLimitedCount" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "FrequencyChoice" (
    "contactId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "frequency" "Frequency" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FrequencyChoice_pkey" PRIMARY KEY ("contactId","unitId")
);

-- CreateIndex
CREATE INDEX "FrequencyChoice_unitId_idx" ON "FrequencyChoice"("unitId");

-- CreateIndex
CREATE INDEX "Delivery_contactId_sentAt_idx" ON "Delivery"("contactId", "sentAt");

-- AddForeignKey
ALTER TABLE "FrequencyChoice" ADD CONSTRAINT "FrequencyChoice_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FrequencyChoice" ADD CONSTRAINT "FrequencyChoice_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "BusinessUnit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
