-- CreateTable
CREATE TABLE "GroupIdentity" (
    "id" INTEGER NOT NULL PRIMARY KEY DEFAULT 1,
    "name" TEXT NOT NULL,
    "fromEmail" TEXT NOT NULL,
    "legalName" TEXT NOT NULL,
    "postalAddress" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);
