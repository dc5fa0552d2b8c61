import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { BASE_DATABASE, TEST_TMP } from "./paths.ts";

/** Migrates one base database through the real Prisma CLI; every test file copies it. */
export default function setup() {
  fs.rmSync(TEST_TMP, { recursive: true, force: true });
  fs.mkdirSync(TEST_TMP, { recursive: true });
  execFileSync(path.resolve("node_modules/.bin/prisma"), ["migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: `file:${BASE_DATABASE}` },
    stdio: ["ignore", "ignore", "inherit"],
  });
  // Secrets the app would otherwise generate beside the database, fixed for the run.
  process.env.SESSION_SECRET = "test-session-secret-0123456789abcdef";
  process.env.ADDRESS_HASH_KEY = "test-address-hash-key-0123456789abcdef";
}
