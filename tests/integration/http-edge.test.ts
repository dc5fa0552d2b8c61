import fs from "node:fs";
import net from "node:net";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { IncomingMessage } from "node:http";
import { startApp } from "../helpers/app-server.ts";
import { nextIp } from "../helpers/accounts-http.ts";
import { chunkedUpload, rawRequest, type RawAnswer } from "../helpers/raw-http.ts";
import { clientIp } from "../../scripts/access-log.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// What the server does with every request before a route sees it, over real HTTP against the
// production build: body limits counted on the bytes read, methods, security headers, the
// client address behind a proxy, and keep-alive.

const ADMIN = DEMO.admin;
const MB = 1024 * 1024;
const FORM = { "Content-Type": "application/x-www-form-urlencoded" };

const { app, appDb, http } = useRunningApp();
let admin: string;

beforeAll(async () => {
  admin = await http.signIn(ADMIN.email, ADMIN.password);
});

async function unsubscribeLink(): Promise<string> {
  const { contactId, topic } = await appDb.db.subscription.findFirstOrThrow({
    where: { channel: "EMAIL" },
    orderBy: { id: "asc" },
    select: { contactId: true, topic: { select: { unitId: true } } },
  });
  return appDb.link("unsubscribe", { contactId, unitId: topic.unitId });
}

describe("request bodies are limited by the bytes read, not by what the client declares", () => {
  it("refuses a chunked 20 MB body to /login with 413, and keeps serving", async () => {
    const answer = await chunkedUpload(`${app.url}/login`, 20 * MB, { ...FORM, "X-Forwarded-For": nextIp() }, Buffer.from("email=".padEnd(64 * 1024, "a")));
    expect([answer.status, answer.body.slice(0, 100).trim()]).toEqual([413, "That request is too large."]);
    expect((await rawRequest(`${app.url}/login`)).status).toBe(200);
  });

  it("takes a small chunked form as before", async () => {
    const answer = await chunkedUpload(`${app.url}/login`, 80, { ...FORM, "X-Forwarded-For": nextIp() }, Buffer.from("intent=password&email=nobody%40example.com&password=wrong-password-123".padEnd(80, "x")));
    // Read and answered as any sign-in: a wrong password.
    expect(answer.status).toBe(401);
    expect(answer.body).toContain("Sign in");
  });

  it("refuses a chunked body over an upload page's own limit with 413 naming that limit", async () => {
    const answer = await chunkedUpload(`${app.url}/contacts/import`, 21 * MB + 1, {
      "Content-Type": "multipart/form-data; boundary=b",
      Cookie: admin,
      "X-Forwarded-For": nextIp(),
    });
    expect([answer.status, answer.body.slice(0, 100).trim()]).toEqual([413, "That file is larger than 20 MB. Split it into smaller files and import each one."]);
    expect((await rawRequest(`${app.url}/login`)).status).toBe(200);
  });

  it("refuses a chunked body over 64 KB on the one-click path with 413", async () => {
    const answer = await chunkedUpload(await unsubscribeLink(), 1 * MB, FORM, Buffer.from("List-Unsubscribe=One-Click".padEnd(64 * 1024, "&")));
    expect(answer.status).toBe(413);
  });
});

describe("methods", () => {
  it.each(["TRACE", "PUT", "PATCH", "DELETE", "OPTIONS"])("answers %s with 405 and the methods the site takes", async (method) => {
    for (const path of ["/", "/login", "/admin/keys", "/campaigns/new"]) {
      const answer = await rawRequest(`${app.url}${path}`, { method, headers: { Cookie: admin, ...FORM }, body: "intent=rotate" });
      expect([path, answer.status, answer.headers.allow]).toEqual([path, 405, "GET, HEAD, POST"]);
      expect(answer.body).toContain("This address takes GET and POST requests only.");
    }
  });
});

function securityHeadersOf(answer: RawAnswer) {
  return {
    csp: answer.headers["content-security-policy"],
    frameOptions: answer.headers["x-frame-options"],
    referrer: answer.headers["referrer-policy"],
    sniff: answer.headers["x-content-type-options"],
    hsts: answer.headers["strict-transport-security"],
  };
}

const SAME_SITE_ONLY = { csp: "frame-ancestors 'none'", frameOptions: "DENY", referrer: "same-origin", sniff: "nosniff", hsts: undefined };

describe("security headers", () => {
  it("go on documents, resource routes, static files, error pages and the one-click answer", async () => {
    const page = await rawRequest(`${app.url}/login`);
    const asset = /href="(\/build\/[^"]+\.css)"/.exec(page.body)![1];
    const answers: Record<string, RawAnswer> = {
      document: page,
      "resource route": await rawRequest(`${app.url}/admin/ledger.csv`, { method: "POST", headers: { Cookie: admin, ...FORM }, body: "unit=example-tax" }),
      "static file": await rawRequest(`${app.url}/favicon.svg`),
      "built asset": await rawRequest(`${app.url}${asset}`),
      "not found": await rawRequest(`${app.url}/no-such-page`),
      "one-click": await rawRequest(await unsubscribeLink(), { method: "POST", headers: FORM, body: "List-Unsubscribe=One-Click" }),
      "method refused": await rawRequest(`${app.url}/login`, { method: "TRACE" }),
      "unreadable form": await rawRequest(`${app.url}/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }),
      "too large": await rawRequest(`${app.url}/login`, { method: "POST", headers: FORM, body: "x".repeat(65 * 1024) }),
    };
    const statuses = Object.fromEntries(Object.entries(answers).map(([name, answer]) => [name, answer.status]));
    expect(statuses).toEqual({
      document: 200,
      "resource route": 200,
      "static file": 200,
      "built asset": 200,
      "not found": 404,
      "one-click": 200,
      "method refused": 405,
      "unreadable form": 400,
      "too large": 413,
    });
    for (const [name, answer] of Object.entries(answers)) expect([name, securityHeadersOf(answer)]).toEqual([name, SAME_SITE_ONLY]);
  });

  it("let the outbox's message frame be framed by the outbox page only", async () => {
    await http.post("/links/new", { email: "jane.doe@example.com" });
    const file = await vi.waitFor(() => fs.readdirSync(app.outboxDir).find((f) => f.endsWith(".eml")) ?? expect.fail("no message yet"), { timeout: 10_000, interval: 100 });
    const frame = await rawRequest(`${app.url}/admin/outbox/${file}/html`, { headers: { Cookie: admin } });
    expect(frame.status).toBe(200);
    expect(frame.headers["content-security-policy"]).toContain("frame-ancestors 'self'");
    expect(frame.headers["content-security-policy"]).not.toContain("frame-ancestors 'none'");
    expect(frame.headers["x-frame-options"]).toBe("SAMEORIGIN");
    expect(frame.headers["x-content-type-options"]).toBe("nosniff");
  });
});

describe("the client address behind a proxy", () => {
  const requestFrom = (socket: string, forwarded?: string) =>
    ({ socket: { remoteAddress: socket }, headers: forwarded === undefined ? {} : { "x-forwarded-for": forwarded } }) as unknown as IncomingMessage;

  it("is taken from X-Forwarded-For only when each hop read is an IP address", () => {
    expect(clientIp(requestFrom("127.0.0.1", "203.0.113.7"))).toBe("203.0.113.7");
    expect(clientIp(requestFrom("::ffff:127.0.0.1", "198.51.100.1, 203.0.113.7"))).toBe("203.0.113.7");
    expect(clientIp(requestFrom("::1", "2001:db8::1, 127.0.0.1"))).toBe("2001:db8::1");
    expect(clientIp(requestFrom("203.0.113.9", "198.51.100.1"))).toBe("203.0.113.9");
    // Not addresses: the last address we can vouch for stands (the proxy's), never the text.
    expect(clientIp(requestFrom("127.0.0.1", "<script>alert(1)</script>"))).toBe("127.0.0.1");
    expect(clientIp(requestFrom("127.0.0.1", "unknown"))).toBe("127.0.0.1");
    expect(clientIp(requestFrom("127.0.0.1", "203.0.113.7:4711"))).toBe("127.0.0.1");
    expect(clientIp(requestFrom("127.0.0.1", "203.0.113.7, nonsense"))).toBe("127.0.0.1");
    expect(clientIp(requestFrom("127.0.0.1", ""))).toBe("127.0.0.1");
  });

  it("stores an address, never the text a client put in X-Forwarded-For", async () => {
    const login = (forwarded: string) =>
      rawRequest(`${app.url}/login`, {
        method: "POST",
        headers: { ...FORM, "X-Forwarded-For": forwarded },
        body: new URLSearchParams({ intent: "password", email: ADMIN.email, password: ADMIN.password }).toString(),
      });
    const sessionIp = async (forwarded: string) => {
      const before = (await appDb.db.session.findMany({ select: { id: true } })).map((s) => s.id);
      const answer = await login(forwarded);
      expect(answer.status).toBe(302);
      const cookie = /pc_session=[^;]*/.exec(String(answer.headers["set-cookie"]))![0];
      const page = await rawRequest(`${app.url}/account`, { headers: { Cookie: cookie } });
      expect(page.status).toBe(200);
      // The session this sign-in opened: the one that was not there before.
      return (await appDb.db.session.findFirstOrThrow({ where: { id: { notIn: before } }, select: { ip: true } })).ip;
    };
    expect(await sessionIp("203.0.113.77")).toBe("203.0.113.77");
    expect(await sessionIp("<img src=x onerror=alert(1)>")).toBe("127.0.0.1");
    expect(app.output()).not.toContain("<img src=x");
  });
});

/** The response head of one request on a raw socket that asks to be kept alive; the socket stays open. */
function keptAliveHead(url: string): Promise<{ head: string; socket: net.Socket }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(`GET /login HTTP/1.1\r\nHost: ${hostname}\r\nConnection: keep-alive\r\n\r\n`));
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      const end = received.indexOf("\r\n\r\n");
      if (end !== -1) resolve({ head: received.slice(0, end), socket });
    });
    socket.on("error", reject);
  });
}

describe("keep-alive", () => {
  it("keeps idle connections longer than common proxies (65 s) and says so", async () => {
    const { head, socket } = await keptAliveHead(app.url);
    socket.destroy();
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(head).toMatch(/^Connection: keep-alive$/im);
    expect(head).toMatch(/^Keep-Alive: timeout=65$/im);
  });

  it("sends HSTS when the public URL is https, and shuts down at once with an idle kept-alive connection open", async () => {
    const httpsApp = await startApp({ env: { PUBLIC_URL: "https://prefs.example.com" } });
    let stopped = false;
    try {
      const page = await rawRequest(`${httpsApp.url}/login`);
      expect(securityHeadersOf(page)).toEqual({ ...SAME_SITE_ONLY, hsts: "max-age=31536000" });
      const { socket } = await keptAliveHead(httpsApp.url);
      const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
      const started = performance.now();
      await httpsApp.stop();
      stopped = true;
      await closed;
      // The server's own fallback exits after 5 s: shutting down must not wait for it.
      expect(performance.now() - started).toBeLessThan(4000);
      expect(httpsApp.output()).not.toContain("Signature counts not written");
    } finally {
      if (!stopped) await httpsApp.stop();
    }
  });
});
