-- A unit's seed list: the addresses a campaign's test copies go to (ADR 054).
CREATE TABLE "SeedAddress" (
    "id" SERIAL NOT NULL,
    "unitId" INTEGER NOT NULL,
    "email" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SeedAddress_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "SeedAddress_unitId_email_key" ON "SeedAddress"("unitId", "email");

ALTER TABLE "SeedAddress" ADD CONSTRAINT "SeedAddress_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "BusinessUnit"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
