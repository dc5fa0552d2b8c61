import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { afterAll } from "vitest";
import { TEST_TMP } from "./paths.ts";
import { createTestDatabase } from "./test-database.ts";

// Runs before each test file's imports: point the app at a private database of its own.
const database = await createTestDatabase("file");
process.env.DATABASE_URL = database.url;
// Mail from code under test lands in this file's own outbox.
const outbox = path.join(TEST_TMP, `outbox-${process.pid}-${crypto.randomUUID()}`);
process.env.MAIL_TRANSPORT = "outbox";
process.env.OUTBOX_DIR = outbox;
process.env.NODE_ENV = "test";
process.env.SESSION_SECRET ??= "test-session-secret-0123456789abcdef";
process.env.ADDRESS_HASH_KEY ??= "test-address-hash-key-0123456789abcdef";

afterAll(async () => {
  // The app's clients still hold connections: PostgreSQL's DROP … WITH (FORCE) ends them.
  await database.drop();
  fs.rmSync(outbox, { recursive: true, force: true });
});
