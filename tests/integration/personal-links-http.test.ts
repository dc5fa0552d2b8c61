import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import PostalMime from "postal-mime";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { sessionCookie } from "../helpers/accounts-http.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// Links that act for a recipient, against the production build: a real campaign goes out to the
// outbox, a marketer of its unit reads it, and nothing they can read may open the recipient's
// unsubscribe page or preference center. A session opened from a link names the link in the ledger.

const { app, appDb, http } = useRunningApp();
let admin: string;
let taxMarketer: string;
/** One campaign message in the outbox, and the personal links it carries. */
let message: { file: string; to: string; unsubscribe: string; preferences: string };

const pageText = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "");
const outboxFiles = () => (fs.existsSync(app.outboxDir) ? fs.readdirSync(app.outboxDir).filter((f) => f.endsWith(".eml")).sort() : []);
/** A URL from a message or a page, as a path on the test server (the app's PUBLIC_URL may differ). */
const onApp = (url: string) => `${app.url}${new URL(url, app.url).pathname}`;
const jtiOf = (url: string) => JSON.parse(Buffer.from(new URL(url).pathname.split("/").at(-1)!.split(".")[1], "base64url").toString()).jti as string;

/** Every URL in a text: absolute ones, and href/src values of any kind. */
function urlsIn(text: string): string[] {
  const absolute = text.match(/https?:\/\/[^\s"'<>()[\]]+/g) ?? [];
  const attributes = [...text.matchAll(/(?:href|src|action)\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1]);
  return [...new Set([...absolute, ...attributes])];
}

/** Whether a URL, followed as a recipient would, opens their unsubscribe page or preference center. */
async function acts(url: string): Promise<boolean> {
  let target: URL;
  try {
    target = new URL(url.replaceAll("&amp;", "&"), app.url);
  } catch {
    return false;
  }
  if (!/^\/[up]\//.test(target.pathname)) return false;
  const page = await fetch(onApp(target.href), { redirect: "manual" });
  if (page.status === 200) return true;
  const opened = await fetch(onApp(target.href), { method: "POST", body: new URLSearchParams({ intent: "manage" }), headers: { origin: app.url }, redirect: "manual" });
  return sessionCookie(opened) !== null;
}

beforeAll(async () => {
  [admin, taxMarketer] = await Promise.all([DEMO.admin, DEMO.taxMarketer].map(http.signInAs));
  // A real campaign, started from the CLI and sent by the app's own sender.
  const body = path.join(path.dirname(app.outboxDir), `campaign-${path.basename(app.outboxDir)}.md`);
  fs.writeFileSync(body, "Hello,\n\nOur **spring** tips are here.\n");
  const started = spawnSync(
    path.resolve("node_modules/.bin/tsx"),
    ["app/cli/main.ts", "campaign", "send", "--unit", "example-tax", "--topic", "tax-tips", "--subject", "Spring tips", "--body", body],
    { env: { ...process.env, DATABASE_URL: app.databaseUrl, OUTBOX_DIR: app.outboxDir, MAIL_TRANSPORT: "outbox" }, encoding: "utf8" },
  );
  expect(started.status, started.stderr).toBe(0);
  await vi.waitFor(async () => expect(await appDb.db.campaign.count({ where: { status: "SENT" } })).toBe(1), { timeout: 30_000, interval: 200 });
  const file = outboxFiles().at(-1)!;
  const parsed = await PostalMime.parse(fs.readFileSync(path.join(app.outboxDir, file)));
  const links = urlsIn(parsed.text ?? "");
  message = {
    file,
    to: parsed.to![0].address!,
    unsubscribe: links.find((u) => new URL(u).pathname.startsWith("/u/"))!,
    preferences: links.find((u) => new URL(u).pathname.startsWith("/p/"))!,
  };
  expect(message.unsubscribe).toBeTruthy();
  expect(message.preferences).toBeTruthy();
}, 90_000);

describe("what staff read in the outbox", () => {
  it("the message itself carries working links: the recipient's unsubscribe page and preference center open", async () => {
    // Without this, the test below could pass on links that never worked.
    expect(await acts(message.unsubscribe)).toBe(true);
    expect(await acts(message.preferences)).toBe(true);
  });

  it("a marketer of the unit reads the message with its personal links visibly removed, and no URL in it acts for the recipient", async () => {
    const views = {
      page: await http.get(`/admin/outbox/${message.file}`, { cookie: taxMarketer }),
      html: await http.get(`/admin/outbox/${message.file}/html`, { cookie: taxMarketer }),
      raw: await http.get(`/admin/outbox/${message.file}/raw`, { cookie: taxMarketer }),
    };
    expect(views.page.status).toBe(200);
    expect(views.html.status).toBe(200);
    const texts = Object.fromEntries(await Promise.all(Object.entries(views).map(async ([name, response]) => [name, await pageText(response)]))) as Record<keyof typeof views, string>;
    for (const [name, text] of Object.entries(texts)) {
      for (const url of urlsIn(text)) expect(await acts(url), `${name}: ${url}`).toBe(false);
      for (const link of [message.unsubscribe, message.preferences]) expect(text, name).not.toContain(new URL(link).pathname.split("/").at(-1));
    }
    // The raw file cannot be cleaned without changing it: marketers are told so instead.
    expect(views.raw.status).toBe(403);
    expect(texts.raw).toContain("only admins can download");
    // Visibly: in the plain text, the headers and the rendered HTML.
    expect(texts.page).toContain("[unsubscribe link removed]");
    expect(texts.page).toContain("[preferences link removed]");
    expect(texts.page).toMatch(/<th scope="row">List-Unsubscribe<\/th><td>&lt;\[unsubscribe link removed\]&gt;/);
    expect(texts.html).toContain("[unsubscribe link removed]");
    expect(texts.html).toContain("[preferences link removed]");
    expect(texts.page).not.toContain(`/admin/outbox/${message.file}/raw`);
  });

  it("admins read the same cleaned views; the raw file is theirs alone and each download is in the audit log", async () => {
    const page = await pageText(await http.get(`/admin/outbox/${message.file}`, { cookie: admin }));
    const html = await pageText(await http.get(`/admin/outbox/${message.file}/html`, { cookie: admin }));
    for (const text of [page, html]) {
      expect(text).toContain("[unsubscribe link removed]");
      for (const url of urlsIn(text)) expect(await acts(url), url).toBe(false);
    }
    expect(await appDb.db.auditEvent.count({ where: { action: "outbox.download" } })).toBe(0);
    const raw = await http.get(`/admin/outbox/${message.file}/raw`, { cookie: admin });
    expect(raw.status).toBe(200);
    expect(Buffer.from(await raw.arrayBuffer()).equals(fs.readFileSync(path.join(app.outboxDir, message.file)))).toBe(true);
    const audit = await appDb.db.auditEvent.findMany({ where: { action: "outbox.download" }, select: { actorEmail: true, target: true, detail: true }, orderBy: { id: "asc" } });
    expect(audit).toEqual([{ actorEmail: "admin@example.com", target: `outbox:${message.file}`, detail: JSON.stringify({ to: message.to }) }]);
  });
});

describe("a session opened from a link", () => {
  const lastEvent = () =>
    appDb.db.consentEvent.findFirstOrThrow({ orderBy: { id: "desc" }, select: { action: true, source: true, actor: true, tokenId: true, contactId: true } });
  const contactId = async () => (await appDb.db.contact.findUniqueOrThrow({ where: { email: message.to } })).id;
  const otherUnit = async () => (await appDb.db.businessUnit.findUniqueOrThrow({ where: { slug: "example-insurance" } })).id;

  it("names the link, not the contact, on every change made in it: from a preferences link", async () => {
    const opened = await fetch(onApp(message.preferences), { method: "POST", headers: { origin: app.url }, redirect: "manual" });
    expect(opened.status).toBe(302);
    const cookie = sessionCookie(opened)!;
    const paused = await http.post("/preferences", { intent: "pause", unit: String(await otherUnit()), days: "30" }, { cookie, origin: app.url });
    expect(paused.status).toBe(303);
    const jti = jtiOf(message.preferences);
    expect(await lastEvent()).toEqual({ action: "SNOOZE", source: "PREFERENCE_CENTER", actor: `link:${jti}`, tokenId: jti, contactId: await contactId() });
  });

  it("and from the unsubscribe page's 'Manage all my preferences'", async () => {
    const opened = await fetch(onApp(message.unsubscribe), { method: "POST", body: new URLSearchParams({ intent: "manage" }), headers: { origin: app.url }, redirect: "manual" });
    expect(opened.status).toBe(302);
    const cookie = sessionCookie(opened)!;
    const resumed = await http.post("/preferences", { intent: "resume", unit: String(await otherUnit()) }, { cookie, origin: app.url });
    expect(resumed.status).toBe(303);
    const jti = jtiOf(message.unsubscribe);
    expect(await lastEvent()).toMatchObject({ source: "PREFERENCE_CENTER", actor: `link:${jti}`, tokenId: jti, contactId: await contactId() });
  });
});
