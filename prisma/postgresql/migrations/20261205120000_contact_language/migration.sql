-- A contact's language becomes a choice (ADR 047): null until they make it. The old default 'en' was
-- never chosen by anyone (no page offered a choice), so it becomes null.
ALTER TABLE "Contact" ALTER COLUMN "locale" DROP NOT NULL, ALTER COLUMN "locale" DROP DEFAULT, ADD COLUMN "timeZone" TEXT;
UPDATE "Contact" SET "locale" = NULL WHERE "locale" = 'en';
