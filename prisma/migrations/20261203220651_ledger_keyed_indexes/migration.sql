-- DropIndex
DROP INDEX "ConsentEvent_campaignId_idx";

-- DropIndex
DROP INDEX "ConsentEvent_unitId_createdAt_idx";

-- DropIndex
DROP INDEX "ConsentEvent_contactId_createdAt_idx";

-- CreateIndex
CREATE INDEX "ConsentEvent_contactId_id_idx" ON "ConsentEvent"("contactId", "id");

-- CreateIndex
CREATE INDEX "ConsentEvent_unitId_createdAt_action_source_changed_idx" ON "ConsentEvent"("unitId", "createdAt", "action", "source", "changed");

-- CreateIndex
CREATE INDEX "ConsentEvent_unitId_id_idx" ON "ConsentEvent"("unitId", "id");

-- CreateIndex
CREATE INDEX "ConsentEvent_topicId_id_idx" ON "ConsentEvent"("topicId", "id");

-- CreateIndex
CREATE INDEX "ConsentEvent_source_id_idx" ON "ConsentEvent"("source", "id");

-- CreateIndex
CREATE INDEX "ConsentEvent_action_id_idx" ON "ConsentEvent"("action", "id");

-- CreateIndex
CREATE INDEX "ConsentEvent_campaignId_id_idx" ON "ConsentEvent"("campaignId", "id");

-- CreateIndex
CREATE INDEX "ConsentEvent_createdAt_id_idx" ON "ConsentEvent"("createdAt", "id");
