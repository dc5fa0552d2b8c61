-- CreateIndex
CREATE INDEX "TransactionalMessage_contactId_id_idx" ON "TransactionalMessage"("contactId", "id");

-- CreateIndex
CREATE INDEX "TransactionalMessage_toEmail_id_idx" ON "TransactionalMessage"("toEmail", "id");
