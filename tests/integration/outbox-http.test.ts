import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import PostalMime from "postal-mime";
import { SMTPServer } from "smtp-server";
import { beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { createOutboxTransport } from "~/domain/mail/outbox.server.ts";
import { startApp } from "../helpers/app-server.ts";
import { httpClient } from "../helpers/accounts-http.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";
import { DEMO_GROUP } from "../../prisma/demo-data.ts";

// /admin/outbox over real HTTP against the production build. Campaign messages are written
// with the outbox transport itself (the one the sender uses), carrying real unsubscribe links;
// service mail is sent by the app.

const { app, appDb, http } = useRunningApp();
let admin: string;
let taxMarketer: string;
let subscriber: string;
const sent: Record<"tax" | "travel" | "service", string> = { tax: "", travel: "", service: "" };
let unsubscribeUrl: string;

const filesIn = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".eml")).sort() : []);

/** Sends one promotional message through the outbox transport; returns the file it became. */
async function sendCampaignMessage(unit: "tax" | "travel", to: string, subject: string, link: string, dkimKey?: string): Promise<string> {
  const before = new Set(filesIn(app.outboxDir));
  const transport = createOutboxTransport(app.outboxDir);
  await transport.send({
    stream: "promotional",
    from: { name: unit === "tax" ? "Example Tax" : "Example Travel", address: `news@${unit}.example.com` },
    to,
    replyTo: `help@${unit}.example.com`,
    subject,
    html: `<!DOCTYPE html><html><head><title>${subject}</title></head><body><h1>${subject}</h1><p>Our best offers.</p><p><a href="${link}">Unsubscribe</a></p><script>document.title = "scripted"</script></body></html>`,
    text: `${subject}\n\nOur best offers.\n\nUnsubscribe: ${link}`,
    headers: { "List-Unsubscribe": `<${link}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    messageIdDomain: `${unit}.example.com`,
    dkim: dkimKey ? { domainName: `${unit}.example.com`, keySelector: "demo", privateKey: dkimKey } : undefined,
  });
  await transport.close();
  return filesIn(app.outboxDir).find((f) => !before.has(f))!;
}

beforeAll(async () => {
  [admin, taxMarketer, subscriber] = await Promise.all([DEMO.admin, DEMO.taxMarketer, DEMO.subscriber].map(http.signInAs));

  // Service mail the app sends itself: a sign-in link from the group's account address (ADR 044).
  const before = filesIn(app.outboxDir).length;
  await http.post("/login", { intent: "link", email: "jane.doe@example.com" });
  await vi.waitFor(() => expect(filesIn(app.outboxDir)).toHaveLength(before + 1), { timeout: 10_000, interval: 100 });
  sent.service = filesIn(app.outboxDir).at(-1)!;

  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const { contactId, topicId, topic } = await appDb.db.subscription.findFirstOrThrow({
    where: { topic: { unit: { slug: "example-tax" } }, channel: "EMAIL", status: "SUBSCRIBED" },
    orderBy: [{ contactId: "asc" }, { id: "asc" }],
    select: { contactId: true, topicId: true, topic: { select: { unitId: true } } },
  });
  unsubscribeUrl = await appDb.link("unsubscribe", { contactId, unitId: topic.unitId, topicId });
  sent.tax = await sendCampaignMessage("tax", "ben.adler.1@example.com", "Tax season offers", unsubscribeUrl, privateKey.export({ type: "pkcs8", format: "pem" }).toString());
  sent.travel = await sendCampaignMessage("travel", "ada.brooks.20@example.com", "Summer escapes", "https://travel.example.com/u/placeholder");
});

/** Text of a page with React's text separators removed. */
const pageText = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "");

describe("the outbox list", () => {
  it("shows admins every message, newest first, with the count", async () => {
    const response = await http.get("/admin/outbox", { cookie: admin });
    expect(response.status).toBe(200);
    const page = await pageText(response);
    const order = [sent.travel, sent.tax, sent.service].map((f) => page.indexOf(`/admin/outbox/${f}"`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(page).toContain("Tax season offers");
    expect(page).toContain("Summer escapes");
    expect(page).toContain("Example Tax &lt;news@tax.example.com&gt;");
    expect(page).toContain(`${filesIn(app.outboxDir).length} messages in all.`);
  });

  it("shows a marketer their units' campaign messages only: not other units', not service mail", async () => {
    const page = await pageText(await http.get("/admin/outbox", { cookie: taxMarketer }));
    expect(page).toContain(`/admin/outbox/${sent.tax}"`);
    expect(page).not.toContain(sent.travel);
    expect(page).not.toContain(sent.service);
    expect(page).not.toContain("messages in all");
    for (const file of [sent.travel, sent.service]) {
      for (const suffix of ["", "/html", "/raw"]) {
        expect((await http.get(`/admin/outbox/${file}${suffix}`, { cookie: taxMarketer })).status, `${file}${suffix}`).toBe(404);
      }
    }
    expect((await http.get(`/admin/outbox/${sent.tax}`, { cookie: taxMarketer })).status).toBe(200);
  });

  it("finds messages by recipient", async () => {
    const page = await pageText(await http.get("/admin/outbox?recipient=ADA.BROOKS", { cookie: admin }));
    expect(page).toContain(sent.travel);
    expect(page).not.toContain(sent.tax);
    expect(page).not.toContain(sent.service);
    const none = await pageText(await http.get("/admin/outbox?recipient=nobody-at-all", { cookie: admin }));
    expect(none).toContain("No message to an address containing “nobody-at-all” here.");
  });

  it("answers a cursor that is not an outbox file with a 400 that says so", async () => {
    const response = await http.get("/admin/outbox?before=..%2F..%2Fetc%2Fpasswd", { cookie: admin });
    expect(response.status).toBe(400);
    expect(await pageText(response)).toContain("The before in this address is not a message of the outbox.");
  });
});

describe("one message", () => {
  it("shows every header, the plain text and the rendered HTML in a sandboxed frame, the recipient's links replaced", async () => {
    const response = await http.get(`/admin/outbox/${sent.tax}`, { cookie: admin });
    expect(response.status).toBe(200);
    const page = await pageText(response);
    const token = new URL(unsubscribeUrl).pathname.split("/").pop()!;
    for (const name of ["DKIM-Signature", "List-Unsubscribe", "List-Unsubscribe-Post", "Message-ID", "From", "To", "Reply-To", "Subject", "Date", "MIME-Version"]) {
      expect(page).toContain(`<th scope="row">${name}</th>`);
    }
    expect(page).toContain("&lt;[unsubscribe link removed]&gt;");
    expect(page).toContain("List-Unsubscribe=One-Click");
    expect(page).toMatch(/v=1; a=rsa-sha256; c=relaxed\/relaxed; d=tax\.example\.com;/);
    expect(page).toContain("Unsubscribe: [unsubscribe link removed]");
    expect(page).not.toContain(token);
    const frame = page.match(/<iframe[^>]*>/)![0];
    expect(frame).toContain(`src="/admin/outbox/${sent.tax}/html"`);
    expect(frame).toContain('sandbox="allow-popups allow-popups-to-escape-sandbox"');
    expect(frame).not.toMatch(/allow-scripts|allow-same-origin/);
    expect(frame).toMatch(/title="[^"]+"/);
    expect(page).toContain(`href="/admin/outbox/${sent.tax}/raw"`);
  });

  it("serves the HTML part under a strict CSP, links opening in a new tab, the unsubscribe link replaced", async () => {
    const response = await http.get(`/admin/outbox/${sent.tax}/html`, { cookie: admin });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = response.headers.get("content-security-policy")!.split(/;\s*/);
    expect(csp).toEqual(expect.arrayContaining(["default-src 'none'", "img-src https: data:", "style-src 'unsafe-inline'", "sandbox allow-popups allow-popups-to-escape-sandbox"]));
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await response.text();
    expect(html).toMatch(/^<!DOCTYPE html><html><head><base target="_blank"><title>Tax season offers<\/title>/);
    expect(html).toContain("[unsubscribe link removed]</strong>");
    expect(html).not.toContain(unsubscribeUrl);
  });

  it("downloads the raw .eml byte for byte (admins)", async () => {
    const response = await http.get(`/admin/outbox/${sent.tax}/raw`, { cookie: admin });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("message/rfc822");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="${sent.tax}"`);
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.equals(fs.readFileSync(path.join(app.outboxDir, sent.tax)))).toBe(true);
    expect((await PostalMime.parse(body)).subject).toBe("Tax season offers");
  });

  it("shows admins service mail too", async () => {
    const page = await pageText(await http.get(`/admin/outbox/${sent.service}`, { cookie: admin }));
    expect(page).toContain(DEMO_GROUP.fromEmail);
    expect(page).not.toContain("<th scope=\"row\">List-Unsubscribe</th>");
  });
});

describe("who may look, and which files", () => {
  it("answers 404 to subscribers and sends people who are signed out to sign in", async () => {
    for (const url of ["/admin/outbox", `/admin/outbox/${sent.tax}`, `/admin/outbox/${sent.tax}/html`, `/admin/outbox/${sent.tax}/raw`]) {
      expect((await http.get(url, { cookie: subscriber })).status, url).toBe(404);
      const signedOut = await http.get(url);
      expect(signedOut.status, url).toBe(302);
      expect(signedOut.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
    }
  });

  it("reads only outbox files: every traversal or other name is a 404", async () => {
    // A file just outside the outbox with a name the transport could have written.
    const outside = path.basename(sent.tax).replace(/-[0-9a-f]{12}\.eml$/, "-0123456789ab.eml");
    const outsideFile = path.join(path.dirname(app.outboxDir), outside);
    fs.writeFileSync(outsideFile, "From: a@example.com\r\n\r\nsecret outside the outbox");
    onTestFinished(() => fs.rmSync(outsideFile, { force: true }));
    const attempts = [
      "..%2F..%2F..%2Fetc%2Fpasswd",
      `..%2F${outside}`,
      "%2E%2E%2F" + path.basename(app.outboxDir),
      `${encodeURIComponent(path.join(path.dirname(app.outboxDir), outside))}`,
      `%2e%2e%5c${outside}`,
      `${sent.tax}%00`,
      `${sent.tax.replace(".eml", ".EML")}`,
      `.${sent.tax}.tmp`,
      "README.md",
      outside, // the right shape, but not in the outbox
    ];
    for (const attempt of attempts) {
      for (const suffix of ["", "/html", "/raw"]) {
        const response = await http.get(`/admin/outbox/${attempt}${suffix}`, { cookie: admin });
        expect(response.status, `${attempt}${suffix}`).toBe(404);
        expect(await response.text()).not.toContain("secret outside the outbox");
      }
    }
  });
});

describe("paging", () => {
  it("shows 50 messages a page with an Older link that leads to the rest", async () => {
    const transport = createOutboxTransport(app.outboxDir);
    for (let i = 0; i < 55; i++) {
      await transport.send({
        stream: "transactional",
        from: { name: "Example Tax", address: "service@tax.example.com" },
        to: `paging${i}@example.com`,
        subject: `Paging ${i}`,
        html: `<p>${i}</p>`,
        text: String(i),
        messageIdDomain: "tax.example.com",
      });
    }
    await transport.close();
    const first = await pageText(await http.get("/admin/outbox", { cookie: admin }));
    expect(first.match(/<tr><td class="when">/g)).toHaveLength(50);
    expect(first).toContain("Paging 54");
    expect(first).not.toContain("Paging 4<");
    const older = first.match(/href="(\/admin\/outbox\?before=[^"]+)">Older →/)![1].replaceAll("&amp;", "&");
    const second = await pageText(await http.get(older, { cookie: admin }));
    expect(second).toContain("Paging 4<");
    expect(second).toContain(sent.service);
    expect(second).not.toContain("Paging 54");
    expect(second).toMatch(/href="\/admin\/outbox\?after=[^"]+">← Newer/);
  });
});

describe("when mail goes out by SMTP", () => {
  it("says the outbox is not in use", async () => {
    const sink = new SMTPServer({ authOptional: true, disabledCommands: ["STARTTLS"], logger: false, onData: (stream, _s, done) => stream.resume().on("end", () => done()) });
    await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
    const port = (sink.server.address() as { port: number }).port;
    const smtpApp = await startApp({ env: { MAIL_TRANSPORT: "smtp", SMTP_URL: `smtp://127.0.0.1:${port}`, ALLOW_HTTP_PUBLIC_URL: "1" } });
    try {
      const smtpHttp = httpClient(smtpApp);
      const cookie = await smtpHttp.signInAs(DEMO.admin);
      const response = await smtpHttp.get("/admin/outbox", { cookie });
      expect(response.status).toBe(200);
      const page = await pageText(response);
      expect(page).toContain("The outbox is not in use:");
      expect(page).toContain("No messages here.");
    } finally {
      await smtpApp.stop();
      await new Promise<void>((resolve) => sink.close(() => resolve()));
    }
  });
});
