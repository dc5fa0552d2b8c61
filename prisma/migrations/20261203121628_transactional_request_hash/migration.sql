-- AlterTable
ALTER TABLE "TransactionalMessage" ADD COLUMN "requestHash" TEXT;
