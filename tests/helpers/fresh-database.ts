import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { afterAll } from "vitest";
import { BASE_DATABASE, TEST_TMP } from "./paths.ts";

// Runs before each test file's imports: point the app at a private copy of the base database.
const file = path.join(TEST_TMP, `db-${process.pid}-${crypto.randomUUID()}.db`);
fs.copyFileSync(BASE_DATABASE, file);
process.env.DATABASE_URL = `file:${file}`;
// Mail from code under test lands in this file's own outbox.
const outbox = path.join(TEST_TMP, `outbox-${process.pid}-${crypto.randomUUID()}`);
process.env.MAIL_TRANSPORT = "outbox";
process.env.OUTBOX_DIR = outbox;
process.env.NODE_ENV = "test";
process.env.SESSION_SECRET ??= "test-session-secret-0123456789abcdef";
process.env.ADDRESS_HASH_KEY ??= "test-address-hash-key-0123456789abcdef";

afterAll(() => {
  fs.rmSync(file, { force: true });
  fs.rmSync(outbox, { recursive: true, force: true });
});
