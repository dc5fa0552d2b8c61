-- The language a service message is written in (ADR 047), so a retry renders it in the same words.
ALTER TABLE "TransactionalMessage" ADD COLUMN "language" TEXT;
