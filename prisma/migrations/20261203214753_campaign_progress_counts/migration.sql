-- The campaign page's progress kept with the campaign instead of recounted on every poll.
ALTER TABLE "Campaign" ADD COLUMN "audienceCount" INTEGER;
ALTER TABLE "Campaign" ADD COLUMN "listedCount" INTEGER NOT NULL DEFAULT 0;
-- Campaigns already started: the deliveries listed so far, as the sender now counts them.
UPDATE "Campaign" SET "listedCount" = (SELECT COUNT(*) FROM "Delivery" WHERE "Delivery"."campaignId" = "Campaign"."id") WHERE "startedAt" IS NOT NULL;
