// The ceiling for bench/one-click.ts: the least a server can do for an RFC 8058 one-click POST.
// Bare node:http, reads and parses the same urlencoded body, writes one UnitOptOut-shaped row
// to SQLite (same driver, WAL, busy timeout as the app) or, given a postgresql:// URL, to
// PostgreSQL (pg, a pool of DATABASE_POOL_SIZE as the app has), answers 200. No Remix, no token check.
//
// Usage: tsx bench/ceiling-server.ts <database file | postgresql URL> <port>   (prints "ceiling listening on <port>")

import http from "node:http";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import pg from "pg";

const [file, port] = process.argv.slice(2);
if (!file || !port) {
  console.error("Usage: tsx bench/ceiling-server.ts <database file> <port>");
  process.exit(1);
}

const TABLE = `CREATE TABLE IF NOT EXISTS "UnitOptOut" (
  "contactId" INTEGER NOT NULL,
  "unitId" INTEGER NOT NULL,
  "channel" TEXT NOT NULL,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY ("contactId", "unitId", "channel")
)`;
const INSERT = `INSERT INTO "UnitOptOut" ("contactId", "unitId", "channel", "createdAt") VALUES ($1, 1, 'EMAIL', $2)`;

/** Writes one opt-out row; resolves when it is committed. */
let insertOptOut: (contactId: number, at: string) => Promise<unknown>;
if (file.startsWith("postgresql:")) {
  const pool = new pg.Pool({ connectionString: file, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
  await pool.query(TABLE);
  insertOptOut = (contactId, at) => pool.query(INSERT, [contactId, at]);
} else {
  // Same connection settings as the app: better-sqlite3, 5 s busy timeout, WAL (set by scripts/start.ts).
  const db = new Database(file, { timeout: 5000 });
  db.pragma("journal_mode = WAL");
  db.exec(TABLE);
  const statement = db.prepare(INSERT.replace(/\$\d/g, "?"));
  insertOptOut = async (contactId, at) => statement.run(contactId, at);
}

// No token to read a contact from: a counter gives every request its own row, as distinct tokens do in the app.
let lastContactId = 0;

const server = http.createServer((req, res) => {
  if (req.method !== "POST") {
    res.writeHead(405, { allow: "POST" }).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
    if (form.get("List-Unsubscribe") !== "One-Click") {
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8" }).end("Not a one-click request.\n");
      return;
    }
    insertOptOut(++lastContactId, new Date().toISOString()).then(
      () => res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" }).end("You are unsubscribed.\n"),
      () => res.writeHead(500).end(),
    );
  });
});

server.listen(Number(port), "127.0.0.1", () => {
  console.log(`ceiling listening on ${(server.address() as AddressInfo).port}`);
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
