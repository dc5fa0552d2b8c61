-- A campaign's several topics and its "left out if they got an email of the unit lately" (ADR 055).
-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN "excludeRecentDays" INTEGER;

-- CreateTable
CREATE TABLE "CampaignTopic" (
    "campaignId" INTEGER NOT NULL,
    "topicId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("campaignId", "topicId"),
    CONSTRAINT "CampaignTopic_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "CampaignTopic_topicId_fkey" FOREIGN KEY ("topicId") REFERENCES "Topic" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "CampaignTopic_topicId_idx" ON "CampaignTopic"("topicId");

-- Every campaign made before targets its one topic.
INSERT INTO "CampaignTopic" ("campaignId", "topicId", "position") SELECT "id", "topicId", 0 FROM "Campaign";
