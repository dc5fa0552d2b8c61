// The campaign page over HTTP at scale: `npm start`'s own server (production build, sender in
// the web process) on a copy of the scale database, mailing a loopback SMTP server. Times "Send
// now", the page, the 2 s poll (`.data`), pause and resume (forms posted without JavaScript, so
// each answer carries the page) while the campaign sends to the largest topic.
//
//   npx remix build && npx tsx bench/campaign-page-http.ts /tmp/copy-of-scale.db
//
// It writes a campaign into the file it is given: never point it at the shared cached file.

import path from "node:path";
import { spawn } from "node:child_process";
import Database from "better-sqlite3";
import { SMTPServer } from "smtp-server";
import { DEMO_LOGINS } from "../prisma/demo-data.ts";
const file = path.resolve(process.argv[2] ?? "");
if (!process.argv[2] || file.includes("var/bench/")) {
  console.error("Give a copy of the scale database: it writes a campaign into it.");
  process.exit(2);
}
const server = new SMTPServer({ authOptional: true, disabledCommands: ["STARTTLS"], logger: false, onData: (s, _x, done) => s.on("data", () => {}).on("end", () => done()) });
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const smtpPort = (server.server.address() as { port: number }).port;
const port = 40000 + Math.floor(Math.random() * 1000);
const child = spawn("node_modules/.bin/tsx", ["scripts/start.ts"], {
  env: { ...process.env, NODE_ENV: "production", PORT: String(port), DATABASE_URL: `file:${file}`, MAIL_TRANSPORT: "smtp", SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, INBOUND_SMTP_PORT: "off", OUTBOX_DIR: path.join(path.dirname(file), "outbox-unused"), SEND_RATE_PER_SECOND: "1000", ALLOW_HTTP_PUBLIC_URL: "1" },
  stdio: ["ignore", "pipe", "pipe"],
});
let out = "";
child.stdout.on("data", (c) => (out += c));
child.stderr.on("data", (c) => (out += c));
const base = `http://127.0.0.1:${port}`;
try {
  for (let i = 0; ; i++) {
    try {
      await fetch(base + "/login");
      break;
    } catch {
      if (i > 120) throw new Error(out);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const admin = DEMO_LOGINS.find((p) => p.email === "admin@example.com")!;
  const login = await fetch(base + "/login", { method: "POST", body: new URLSearchParams({ intent: "password", email: admin.email, password: admin.password }), redirect: "manual", headers: { "x-forwarded-for": "198.18.0.9" } });
  const cookie = login.headers.get("set-cookie")!.split(";")[0];
  const post = (path: string, fields: Record<string, string>) => fetch(base + path, { method: "POST", body: new URLSearchParams(fields), redirect: "manual", headers: { cookie } });
  const get = (path: string) => fetch(base + path, { redirect: "manual", headers: { cookie } });
  const sqlite = new Database(file, { readonly: true });
  const topic = sqlite.prepare("SELECT id, unitId FROM Topic WHERE offersEmail = 1 AND archivedAt IS NULL ORDER BY id LIMIT 1").get() as { id: number; unitId: number };
  const fields = { unitId: String(topic.unitId), topicId: String(topic.id), subject: "HTTP scale", preheader: "", bodyMarkdown: "Hello." };
  const created = await post("/campaigns/new", { ...fields, intent: "save" });
  const id = Number(created.headers.get("location")!.split("/").at(-1));
  let t = performance.now();
  const sent = await post(`/campaigns/${id}`, { ...fields, intent: "send" });
  console.log(`POST send (Send now, with its audience count): ${(performance.now() - t).toFixed(0)} ms, ${sent.status}`);
  for (;;) {
    const row = sqlite.prepare("SELECT sentCount FROM Campaign WHERE id = ?").get(id) as { sentCount: number };
    if (row.sentCount >= 2000) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const time = async (label: string, n: number, work: () => Promise<Response>) => {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      const r = await work();
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`${label}: ${r.status}`);
      times.push(performance.now() - s);
      await new Promise((r) => setTimeout(r, 300));
    }
    times.sort((a, b) => a - b);
    console.log(`${label}: p50 ${times[Math.floor(n / 2)].toFixed(1)} ms, max ${times[n - 1].toFixed(1)} ms (n=${n})`);
  };
  await time("GET /campaigns/:id while sending (page)", 5, () => get(`/campaigns/${id}`));
  await time("GET /campaigns/:id.data while sending (the 2 s poll)", 10, () => get(`/campaigns/${id}.data`));
  const pauses: number[] = [];
  const resumes: number[] = [];
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    const p = await post(`/campaigns/${id}`, { intent: "pause" });
    await p.text();
    pauses.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 500));
    t = performance.now();
    const r = await post(`/campaigns/${id}`, { intent: "resume" });
    await r.text();
    resumes.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 1500));
  }
  console.log(`POST pause (action and the page, without JavaScript): ${pauses.map((x) => x.toFixed(0)).join(", ")} ms`);
  console.log(`POST resume: ${resumes.map((x) => x.toFixed(0)).join(", ")} ms`);
  await time("GET /campaigns/:id.data while sending again", 5, () => get(`/campaigns/${id}.data`));
  await post(`/campaigns/${id}`, { intent: "pause" });
} finally {
  child.kill("SIGTERM");
  server.close();
}
