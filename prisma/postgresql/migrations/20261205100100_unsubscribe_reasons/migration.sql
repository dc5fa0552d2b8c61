-- The optional "why?" after unsubscribing (ADR 043).
-- CreateEnum
CREATE TYPE "UnsubscribeReasonKind" AS ENUM ('TOO_MANY', 'NOT_RELEVANT', 'NEVER_SIGNED_UP', 'OTHER');

-- CreateTable
CREATE TABLE "UnsubscribeReason" (
    "id" SERIAL NOT NULL,
    "tokenId" TEXT NOT NULL,
    "contactId" INTEGER,
    "unitId" INTEGER NOT NULL,
    "campaignId" INTEGER,
    "reason" "UnsubscribeReasonKind" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UnsubscribeReason_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "UnsubscribeReason_tokenId_key" ON "UnsubscribeReason"("tokenId");

-- CreateIndex
CREATE INDEX "UnsubscribeReason_unitId_idx" ON "UnsubscribeReason"("unitId");

-- CreateIndex
CREATE INDEX "UnsubscribeReason_campaignId_idx" ON "UnsubscribeReason"("campaignId");

-- AddForeignKey
ALTER TABLE "UnsubscribeReason" ADD CONSTRAINT "UnsubscribeReason_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnsubscribeReason" ADD CONSTRAINT "UnsubscribeReason_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "BusinessUnit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
