-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN "scheduleTimeZone" TEXT;
