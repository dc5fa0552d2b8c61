-- The campaign library (ADR 052): archived drafts, and campaigns stopped for good.
ALTER TYPE "CampaignStatus" ADD VALUE 'STOPPED';
ALTER TABLE "Campaign" ADD COLUMN "archivedAt" TIMESTAMP(3);
ALTER TABLE "Campaign" ADD COLUMN "stoppedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "AuditEvent_target_id_idx" ON "AuditEvent"("target", "id");
