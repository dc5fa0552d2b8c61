-- A campaign's several topics and its "left out if they got an email of the unit lately" (ADR 055).
-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN "excludeRecentDays" INTEGER;

-- CreateTable
CREATE TABLE "CampaignTopic" (
    "campaignId" INTEGER NOT NULL,
    "topicId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "CampaignTopic_pkey" PRIMARY KEY ("campaignId","topicId")
);

-- CreateIndex
CREATE INDEX "CampaignTopic_topicId_idx" ON "CampaignTopic"("topicId");

-- AddForeignKey
ALTER TABLE "CampaignTopic" ADD CONSTRAINT "CampaignTopic_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CampaignTopic" ADD CONSTRAINT "CampaignTopic_topicId_fkey" FOREIGN KEY ("topicId") REFERENCES "Topic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Every campaign made before targets its one topic.
INSERT INTO "CampaignTopic" ("campaignId", "topicId", "position") SELECT "id", "topicId", 0 FROM "Campaign";
