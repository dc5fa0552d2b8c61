-- CreateTable
CREATE TABLE "GroupIdentity" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "name" TEXT NOT NULL,
    "fromEmail" TEXT NOT NULL,
    "legalName" TEXT NOT NULL,
    "postalAddress" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "GroupIdentity_pkey" PRIMARY KEY ("id")
);
