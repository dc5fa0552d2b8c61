-- AlterTable
ALTER TABLE "Session" ADD COLUMN "linkTokenId" TEXT;

-- AlterTable
ALTER TABLE "SigningKey" ADD COLUMN "revokedAt" DATETIME;
