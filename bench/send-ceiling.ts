// The ceiling of `npm run bench:send`: a bare nodemailer pool, with the same pool settings as
// the app's smtp transport, sending one pre-built message again and again to the sink, with as
// many sends in flight as the app's SEND_CONCURRENCY. No database, no rendering, no consent.
//
// Usage: tsx bench/send-ceiling.ts <smtp url> <message.eml> <count> <concurrency>

import fs from "node:fs";
import nodemailer from "nodemailer";

const [smtpUrl, messageFile, countText, concurrencyText] = process.argv.slice(2);
const count = Number(countText);
const concurrency = Number(concurrencyText);
const raw = fs.readFileSync(messageFile);
const pool = nodemailer.createTransport({ url: smtpUrl, pool: true, connectionTimeout: 10_000, greetingTimeout: 10_000 });

console.log("ceiling ready");
let next = 0;
let failed = 0;
const worker = async () => {
  while (next < count) {
    const n = next++;
    try {
      // Same envelope shape as the app: one recipient per message, so the sink counts the same way.
      await pool.sendMail({ envelope: { from: "news@bench.example.com", to: `contact.${n + 1}@bench.example.com` }, raw });
    } catch {
      failed++;
    }
  }
};
await Promise.all(Array.from({ length: concurrency }, worker));
pool.close();
console.log(`ceiling done: ${count - failed} sent, ${failed} failed`);
