// The ledger over HTTP on a seeded scale database: the page by each filter (median of RUNS) and
// the CSV download of a unit (or EXPORT_QUERY) read to its end, with the server's peak RSS.
// DATABASE_URL=file:<copy of var/bench/scale-N-….db> npx tsx bench/ledger-scale-http.ts  (after npm run build)
import fs from "node:fs";
import { spawn } from "node:child_process";
import { DEMO_LOGINS } from "../prisma/demo-data.ts";

const port = 39_000 + Math.floor(Math.random() * 1000);
const url = `http://127.0.0.1:${port}`;
const child = spawn("node_modules/.bin/tsx", ["scripts/start.ts"], {
  env: { ...process.env, NODE_ENV: "production", PORT: String(port), MAIL_TRANSPORT: "outbox", OUTBOX_DIR: "/tmp/ledger-bench-outbox", INBOUND_SMTP_PORT: "off" },
  stdio: ["ignore", "pipe", "inherit"],
});
await new Promise<void>((resolve) => child.stdout!.on("data", (d) => String(d).includes("http") && resolve()));
const serverPid = () => {
  // tsx runs the server in a child node process: the one listening is the newest descendant.
  const kids = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
  return Number(kids.at(-1) ?? child.pid);
};
const peakRss = () => Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${serverPid()}/status`, "utf8"))?.[1] ?? 0);
const admin = DEMO_LOGINS.find((p) => p.email === "admin@example.com")!;
const login = await fetch(`${url}/login`, { method: "POST", body: new URLSearchParams({ intent: "password", email: admin.email, password: admin.password }), redirect: "manual" });
const cookie = /pc_session=[^;]*/.exec(login.headers.get("set-cookie") ?? "")![0];
const runs = Number(process.env.RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const query of process.env.EXPORT_QUERY ? [] : ["", "?unit=example-tax", "?topic=1", "?source=PROVIDER", "?action=EXPORT", "?from=2025-01-02", "?from=2026-06-01", "?from=2025-12-04", "?to=2025-01-02", "?to=2025-12-03", "?from=2025-12-03&to=2025-12-03"]) {
  const spent: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const response = await fetch(`${url}/admin/ledger${query}`, { headers: { cookie } });
    await response.text();
    if (response.status !== 200) throw new Error(`${query}: ${response.status}`);
    spent.push(performance.now() - t);
  }
  console.log(`GET /admin/ledger${query}`.padEnd(56), `${median(spent).toFixed(1).padStart(8)} ms`);
}
const before = peakRss();
const t = performance.now();
const exportQuery = process.env.EXPORT_QUERY ?? "?unit=example-travel";
const response = await fetch(`${url}/admin/ledger.csv${exportQuery}`, { method: "POST", headers: { cookie, origin: url } });
let bytes = 0;
let lines = 0;
for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
  bytes += chunk.length;
  for (const b of chunk) if (b === 10) lines++;
}
const seconds = (performance.now() - t) / 1000;
console.log(`POST /admin/ledger.csv${exportQuery}: ${response.headers.get("x-row-count")} rows, ${(bytes / 1e6).toFixed(0)} MB, ${lines} lines in ${seconds.toFixed(1)} s = ${Math.round(Number(response.headers.get("x-row-count")) / seconds)} rows/s; server peak RSS ${Math.round(before / 1024)} MB before, ${Math.round(peakRss() / 1024)} MB after`);
child.kill("SIGTERM");
