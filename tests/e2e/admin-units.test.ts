import crypto from "node:crypto";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { seriousViolations, signIn } from "../helpers/browser.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { senderZone, startDnsServer } from "../helpers/dns-server.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// An admin sets up a new business unit through the pages in Chromium: the form's errors, the
// unit with a DKIM key and a bounce domain, the DNS records to publish and what a DNS server on
// loopback holds for them, then a topic. Axe checks the list and edit pages, at desktop width
// and at 375 px.

const MX_HOST = "mx.prefs.example.net";
// Started before the app, which is told to ask it (DNS_RESOLVER).
const dns = await startDnsServer({});
afterAll(() => dns.stop());
const { app, browser, appDb } = useRunningApp({ browser: true, env: { DNS_RESOLVER: dns.address, INBOUND_MX_HOST: MX_HOST } });

const KEY = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const OTHER = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const PRIVATE_PEM = KEY.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const PUBLIC_P = KEY.publicKey.export({ type: "spki", format: "der" }).toString("base64");

async function adminPage(width = 1280): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width, height: 900 } })).newPage();
  await signIn(page, app.url, DEMO.admin);
  return page;
}

/** True when nothing makes the page wider than the window (tables scroll inside their own box). */
const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe("setting up a unit, in Chromium", { timeout: 90_000 }, () => {
  it("an admin creates a unit with a DKIM key and a topic, and checks its DNS records; the pages pass axe", async () => {
    const page = await adminPage();
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Units" }).click();
    await page.waitForURL(`${app.url}/admin/units`);
    // The address changes before the new page has rendered: wait for its heading.
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Business units");
    expect(await page.getByRole("link", { name: "Example Tax" }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("link", { name: "New unit" }).click();
    await page.waitForURL(`${app.url}/admin/units/new`);
    // Sent as it is: every missing field is named, in a summary and beside the field.
    await page.getByRole("button", { name: "Create unit" }).click();
    await page.getByText(/things to fix before this can be saved/).waitFor();
    expect(await page.locator("#field-legalName-error").textContent()).toMatch(/Enter the legal name/);
    expect(await page.locator("#field-contact-error").textContent()).toMatch(/at least one way to reach the unit/);
    expect(await page.getByLabel("Legal name").getAttribute("aria-invalid")).toBe("true");
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel("Slug").fill("acme-garden");
    await page.getByLabel("Display name").fill("Acme Garden");
    await page.getByLabel("Legal name").fill("Acme Garden Supplies Ltd");
    await page.getByLabel("Postal address").fill("4 Potting Shed Row\nGreenfield, EX3 1AG");
    await page.getByLabel("Contact email").fill("help@garden.example.com");
    await page.getByLabel("From name").fill("Acme Garden");
    await page.getByLabel("Sending domain").fill("garden.example.com");
    await page.locator("#field-fromEmail").fill("news@other.example.org");
    await page.getByLabel("DKIM selector").fill("pc2026");
    await page.getByLabel("Private key").fill(PRIVATE_PEM);
    await page.getByLabel("Brand colour").fill("#2e7d32");
    await page.getByRole("button", { name: "Create unit" }).click();
    // The From address is off the sending domain: refused with the reason, and the key must be pasted again.
    await expect.poll(() => page.locator("#field-fromEmail-error").textContent()).toMatch(/must be on the sending domain garden\.example\.com .*fails DMARC/);
    expect(await page.locator("#field-dkimPrivateKey-error").textContent()).toMatch(/paste it again/);
    expect(await page.getByLabel("Private key").inputValue()).toBe("");
    expect(await page.content()).not.toContain(PRIVATE_PEM.split("\n")[2]);

    await page.locator("#field-fromEmail").fill("news@garden.example.com");
    await page.getByLabel("Private key").fill(PRIVATE_PEM);
    await page.getByRole("button", { name: "Create unit" }).click();
    await page.waitForURL(`${app.url}/admin/units/acme-garden?notice=unit-created`);
    await page.getByText("The unit is created.").waitFor();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Acme Garden");

    // The key is never shown again: only that one is stored, and the DNS record to publish.
    const html = await page.content();
    for (const line of PRIVATE_PEM.split("\n").slice(1, -2)) expect(html).not.toContain(line);
    await page.getByText("A key is stored").waitFor();
    const dkim = page.locator("#dns-dkim");
    expect(await dkim.locator(".dns-record").textContent()).toContain("pc2026._domainkey.garden.example.com");
    expect((await dkim.locator(".txt-value").textContent())!.replace(/\s+/g, "")).toBe(`v=DKIM1;k=rsa;p=${PUBLIC_P}`);
    expect(await dkim.locator(".zone-line").textContent()).toMatch(/^pc2026\._domainkey\.garden\.example\.com\.\s+TXT\s+"v=DKIM1; k=rsa; p=/);
    expect(await page.locator("#dns-bounce-mx .zone-line").textContent()).toBe(`bounces.garden.example.com.  MX  10 ${MX_HOST}.`);
    expect(await page.locator(".fbl-address").textContent()).toBe("fbl@bounces.garden.example.com");
    expect(await page.getByTestId("dns-dkim-verdict").textContent()).toBe("Not checked");

    // DNS holds everything: each record found.
    const verdicts = () => page.locator(".dns-verdict").allTextContents();
    // The button reads "Checking DNS…" from the click until the answer is on the page.
    const checkDns = async () => {
      const button = page.locator("#dns .dns-check-form button");
      await Promise.all([page.waitForResponse((response) => response.request().method() === "POST"), button.click()]);
      await expect.poll(() => button.textContent()).toBe("Check DNS");
    };
    const dkimRecord = `v=DKIM1; k=rsa; p=${PUBLIC_P}`;
    Object.assign(dns.zone, senderZone("garden.example.com", dkimRecord, MX_HOST));
    await checkDns();
    expect(await verdicts()).toEqual(["Found", "Found", "Found", "Found", "Found"]);
    expect(await page.locator("#dns .dns-check-form .hint").textContent()).toMatch(/^Checked .* UTC through DNS server 127\.0\.0\.1:\d+\.$/);
    expect(dns.questions).toContain("TXT pc2026._domainkey.garden.example.com");
    expect(await seriousViolations(page)).toEqual([]);

    // Another key published, the bounce domain's MX elsewhere, two SPF records, no DMARC.
    const otherRecord = `v=DKIM1; k=rsa; p=${OTHER.publicKey.export({ type: "spki", format: "der" }).toString("base64")}`;
    Object.assign(
      dns.zone,
      senderZone("garden.example.com", otherRecord, "mx.elsewhere.example", {
        "garden.example.com": { TXT: ["v=spf1 include:_spf.mailer.example.net -all", "v=spf1 ip4:192.0.2.1 -all"] },
        "_dmarc.garden.example.com": { TXT: [] },
      }),
    );
    await checkDns();
    expect(await verdicts()).toEqual(["Wrong", "Wrong", "Found", "Missing", "Wrong"]);
    expect(await page.getByTestId("dns-dkim-message").textContent()).toMatch(/^Key mismatch: pc2026\._domainkey\.garden\.example\.com publishes another public key/);
    expect(await page.getByTestId("dns-spf-message").textContent()).toMatch(/^2 SPF records on garden\.example\.com/);
    expect(await page.getByTestId("dns-bounce-mx-message").textContent()).toMatch(/points at mx\.elsewhere\.example, not at mx\.prefs\.example\.net/);
    expect(await page.locator("#dns-dkim .dns-seen").textContent()).toContain(otherRecord);

    // A DNS server that never answers about one name: that record could not be checked, the page still answers within seconds.
    dns.zone["_dmarc.garden.example.com"] = { SILENT: true };
    dns.zone["pc2026._domainkey.garden.example.com"] = { SERVFAIL: true };
    const started = Date.now();
    await checkDns();
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(await page.getByTestId("dns-dmarc-verdict").textContent()).toBe("Could not check");
    expect(await page.getByTestId("dns-dmarc-message").textContent()).toMatch(/^Could not check: the DNS server did not answer in time \(ETIMEOUT\)/);
    expect(await page.getByTestId("dns-dkim-message").textContent()).toMatch(/^Could not check: the DNS server failed to answer \(SERVFAIL\)/);

    // The unit's own bounce domain: saved with the form, and the MX to publish follows it.
    await page.getByRole("textbox", { name: "Bounce domain" }).fill("garden.example.com");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => page.locator("#field-bounceDomain-error").textContent()).toMatch(/^The bounce domain garden\.example\.com is this unit's sending domain/);
    await page.getByRole("textbox", { name: "Bounce domain" }).fill("returns.garden.example.com");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.waitForURL(`${app.url}/admin/units/acme-garden?notice=saved`);
    await expect.poll(() => page.locator("#dns-bounce-mx .zone-line").textContent()).toBe(`returns.garden.example.com.  MX  10 ${MX_HOST}.`);
    expect(await page.locator(".fbl-address").textContent()).toBe("fbl@returns.garden.example.com");
    expect(await page.getByRole("textbox", { name: "Bounce domain" }).inputValue()).toBe("returns.garden.example.com");
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("link", { name: "Add a topic" }).click();
    await page.waitForURL(`${app.url}/admin/units/acme-garden/topics/new`);
    await page.getByLabel("Slug").fill("seed-tips");
    await page.getByLabel("Name").fill("Seed tips");
    await page.getByLabel("Description").fill("What to sow each month.");
    await page.getByLabel("Postal mail").check();
    await page.getByRole("button", { name: "Create topic" }).click();
    await page.waitForURL(/\/admin\/units\/acme-garden\?notice=topic-created/);
    const row = page.getByRole("row", { name: /Seed tips/ });
    expect(await row.textContent()).toContain("Email, Postal mail");
    expect(await page.locator(".unit-summary").textContent()).toContain("ready to send");
    expect(await seriousViolations(page)).toEqual([]);

    const unit = (await appDb.db.businessUnit.findUnique({ where: { slug: "acme-garden" }, select: { id: true, dkimPrivateKey: true, fromEmail: true } }))!;
    expect(unit.dkimPrivateKey).toBe(PRIVATE_PEM);
    const actions = (await appDb.db.auditEvent.findMany({ orderBy: { id: "asc" }, select: { action: true, actorEmail: true } })).filter((e) => e.actorEmail === "admin@example.com");
    expect(actions.map((e) => e.action)).toEqual(expect.arrayContaining(["unit.create", "unit.update", "topic.create"]));
  });

  it("the list and a unit's pages fit a 375 px screen and pass axe there", async () => {
    const page = await adminPage(375);
    for (const path of ["/admin/units", "/admin/units/example-tax", "/admin/units/example-tax/topics/offers", "/admin/units/example-tax/categories/renewal", "/admin/units/new"]) {
      const response = await page.goto(`${app.url}${path}`);
      expect(response?.status(), path).toBe(200);
      expect(await fitsWidth(page), path).toBe(true);
      expect(await seriousViolations(page), path).toEqual([]);
    }
  });
});
