-- The campaign library (ADR 052): archived drafts, and campaigns stopped for good (status STOPPED,
-- stored as text on SQLite, so no change for the enum here).
ALTER TABLE "Campaign" ADD COLUMN "archivedAt" DATETIME;
ALTER TABLE "Campaign" ADD COLUMN "stoppedAt" DATETIME;

-- CreateIndex
CREATE INDEX "AuditEvent_target_id_idx" ON "AuditEvent"("target", "id");
