import { dropBaseDatabase, prepareBaseDatabase } from "./test-database.ts";

/** Migrates one base database through the real Prisma CLI; every test file and app starts from it. */
export default async function setup() {
  await prepareBaseDatabase();
  // Secrets the app would otherwise generate beside the database, fixed for the run.
  process.env.SESSION_SECRET = "test-session-secret-0123456789abcdef";
  process.env.ADDRESS_HASH_KEY = "test-address-hash-key-0123456789abcdef";
  return dropBaseDatabase;
}
