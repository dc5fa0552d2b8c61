-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN "claimedBy" TEXT;
