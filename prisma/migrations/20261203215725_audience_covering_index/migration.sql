-- DropIndex
DROP INDEX "Subscription_topicId_channel_status_contactId_idx";

-- CreateIndex
CREATE INDEX "Subscription_topicId_channel_status_contactId_expiresAt_idx" ON "Subscription"("topicId", "channel", "status", "contactId", "expiresAt");
