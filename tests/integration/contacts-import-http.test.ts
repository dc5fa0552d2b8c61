import { beforeAll, describe, expect, it } from "vitest";
import { nextIp } from "../helpers/accounts-http.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// /contacts/import over real HTTP against the production build, as a browser without
// JavaScript would post it: a demo marketer uploads a CSV and reads the report.

const TAX_MARKETER = DEMO.taxMarketer;
const HEADER = "email,name,topic,channel,basis,consented_at,source";

const { app, appDb, http } = useRunningApp();
let cookie: string;
let taxUnitId: number;
let travelUnitId: number;

beforeAll(async () => {
  cookie = await http.signIn(TAX_MARKETER.email, TAX_MARKETER.password);
  taxUnitId = (await appDb.db.businessUnit.findUniqueOrThrow({ where: { slug: "example-tax" } })).id;
  travelUnitId = (await appDb.db.businessUnit.findUniqueOrThrow({ where: { slug: "example-travel" } })).id;
});

function upload(unitId: number | string, content: string, options: { cookie?: string; fileName?: string } = {}) {
  const form = new FormData();
  form.set("unitId", String(unitId));
  form.set("file", new Blob([content], { type: "text/csv" }), options.fileName ?? "contacts.csv");
  return fetch(`${app.url}/contacts/import`, {
    method: "POST",
    body: form,
    redirect: "manual",
    headers: { cookie: options.cookie ?? cookie, "x-forwarded-for": nextIp() },
  });
}

/** The page's text without tags, for reading the report as a person would. */
const plain = (html: string) =>
  html
    .replace(/<!-- -->/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, " ");
const text = async (response: Response) => plain(await response.text());

describe("/contacts/import", () => {
  it("shows a marketer only their own units, the expected header and the size limit", async () => {
    const page = await http.get("/contacts/import", { cookie });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(new RegExp(`<option value="${taxUnitId}"[^>]*>Example Tax</option>`));
    expect(html).not.toContain("Example Travel");
    expect(html).toContain(`<code>${HEADER}</code>`);
    expect(plain(html)).toContain("up to 20 MB");
    // HTML attribute names are case-insensitive; React writes encType.
    expect(html).toMatch(/<form method="post" action="\/contacts\/import" enctype="multipart\/form-data"/i);
  });

  it("sends people who are not signed in to the login page", async () => {
    const page = await http.get("/contacts/import");
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toMatch(/^\/login/);
  });

  it("imports an uploaded CSV, reports subscribed, skipped and bad rows, and records the marketer in the ledger", async () => {
    const contactId = (await appDb.db.contact.create({ data: { email: "opted.out@example.com", locale: "en" } })).id;
    await appDb.db.unitOptOut.create({ data: { contactId, unitId: taxUnitId, channel: "EMAIL" } });
    const content = [
      HEADER,
      "new.reader@example.com,New Reader,tax-tips,email,express,2025-01-15,webinar sign-up",
      "new.reader@example.com,New Reader,product-news,postal,implied_purchase,2025-02-01,shop",
      "opted.out@example.com,,tax-tips,email,express,2025-01-15,old list",
      "new.reader@example.com,,no-such-topic,email,express,2025-01-15,shop",
    ].join("\n");

    const response = await upload(taxUnitId, content);
    expect(response.status).toBe(200);
    const page = await text(response);
    expect(page).toContain("Imported contacts.csv into Example Tax");
    expect(page).toContain("Rows read 4");
    expect(page).toContain("Subscribed 2");
    expect(page).toContain("New contacts 1");
    expect(page).toContain("Skipped 1");
    expect(page).toContain("1 — opted out of this unit on this channel");
    expect(page).toContain("Bad rows 1");
    // Bad and skipped rows listed with line, address as typed and reason; all of them downloadable as CSV.
    expect(page).toContain("5 new.reader@example.com topic “no-such-topic” is not a topic of Example Tax");
    expect(page).toContain("4 opted.out@example.com opted out of this unit on this channel");
    const html = await (await upload(taxUnitId, content)).text();
    const href = /href="data:text\/csv;charset=utf-8,([^"]+)"[^>]*download="contacts-rows-not-imported.csv"/.exec(html);
    expect(href).not.toBeNull();
    expect(decodeURIComponent(href![1].replace(/&amp;/g, "&"))).toBe(
      "line,email,outcome,reason\r\n4,opted.out@example.com,skipped,opted out of this unit on this channel\r\n5,new.reader@example.com,bad row,topic “no-such-topic” is not a topic of Example Tax\r\n",
    );

    const marketerId = (await appDb.db.user.findUniqueOrThrow({ where: { email: TAX_MARKETER.email } })).id;
    const events = await appDb.db.consentEvent.findMany({
      where: { contact: { email: "new.reader@example.com" } },
      select: { action: true, source: true, actor: true, detail: true },
      orderBy: { id: "asc" },
    });
    expect(events.map((e) => [e.action, e.source, e.actor])).toEqual([
      ["SUBSCRIBE", "IMPORT", `user:${marketerId}`],
      ["SUBSCRIBE", "IMPORT", `user:${marketerId}`],
    ]);
    expect(JSON.parse(events[0].detail!)).toMatchObject({ origin: "webinar sign-up" });
    // One contacts.import audit entry per upload (two so far), with the marketer and the counts.
    const audits = await appDb.db.auditEvent.findMany({ where: { action: "contacts.import", target: `unit:${taxUnitId}` }, orderBy: { id: "asc" } });
    expect(audits.map((a) => [a.actorUserId, a.actorEmail, JSON.parse(a.detail!)])).toEqual([
      [marketerId, TAX_MARKETER.email, { file: "contacts.csv", rows: 4, subscribed: 2, unchanged: 0, skipped: 1, bad: 1, contactsCreated: 1, contactsUpdated: 0 }],
      [marketerId, TAX_MARKETER.email, { file: "contacts.csv", rows: 4, subscribed: 0, unchanged: 2, skipped: 1, bad: 1, contactsCreated: 0, contactsUpdated: 0 }],
    ]);
    expect(await appDb.db.subscription.count({ where: { contactId } })).toBe(0);

    // The same file again: nothing new.
    const eventCount = await appDb.db.consentEvent.count();
    const again = await text(await upload(taxUnitId, content));
    expect(again).toContain("Subscribed 0");
    expect(again).toContain("Unchanged (consent already in force) 2");
    expect(await appDb.db.consentEvent.count()).toBe(eventCount);
  });

  it("refuses a UTF-16 or Windows-1252 file with 400, naming the encoding, and offers the template", async () => {
    const csv = `${HEADER}\nzoe@example.com,Zoë,tax-tips,email,express,2025-01-15,shop\n`;
    const form = (bytes: Buffer) => {
      const body = new FormData();
      body.set("unitId", String(taxUnitId));
      body.set("file", new Blob([new Uint8Array(bytes)], { type: "text/csv" }), "excel.csv");
      return fetch(`${app.url}/contacts/import`, { method: "POST", body, redirect: "manual", headers: { cookie, "x-forwarded-for": nextIp() } });
    };
    const utf16 = await form(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, "utf16le")]));
    expect(utf16.status).toBe(400);
    expect(await text(utf16)).toContain("Nothing was imported. This file is saved as UTF-16 (little-endian, with a byte order mark), not UTF-8.");
    const latin1 = await form(Buffer.from(csv, "latin1"));
    expect(latin1.status).toBe(400);
    expect(await text(latin1)).toContain("This file is saved as Windows-1252 (Latin-1) (the first character that is not UTF-8 is on line 2), not UTF-8.");

    const template = await http.get("/contacts/import/template.csv", { cookie });
    expect(template.status).toBe(200);
    expect(template.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect((await template.text()).split("\r\n")[0]).toBe(`${HEADER},postal_address,phone`);
  });

  it("answers another unit's id with 404 and imports nothing", async () => {
    const events = await appDb.db.consentEvent.count();
    const response = await upload(travelUnitId, `${HEADER}\nsomeone@example.com,,deals,email,express,2025-01-15,shop\n`);
    expect(response.status).toBe(404);
    expect(await appDb.db.consentEvent.count()).toBe(events);
    expect(await appDb.db.contact.count({ where: { email: "someone@example.com" } })).toBe(0);
    expect((await upload(999_999, `${HEADER}\n`)).status).toBe(404);
  });

  it("answers an unusable file, a missing file or a missing unit with a clear 400", async () => {
    const wrongHeader = await upload(taxUnitId, "Email;Name\nann@example.com;Ann\n");
    expect(wrongHeader.status).toBe(400);
    expect(await text(wrongHeader)).toContain(`Nothing was imported. The first line must be the header ${HEADER}`);

    const empty = await upload(taxUnitId, "");
    expect(empty.status).toBe(400);
    expect(await text(empty)).toContain("Choose a CSV file to import (it is empty or missing).");

    const noUnit = await upload("", `${HEADER}\n`);
    expect(noUnit.status).toBe(400);
    expect(await text(noUnit)).toContain("Choose a unit.");

    const urlEncoded = await http.post("/contacts/import", { unitId: String(taxUnitId) }, { cookie });
    expect(urlEncoded.status).toBe(400);
    expect(await text(urlEncoded)).toContain("The form could not be read.");
  });

  it("shows every mistake of the form at once, each beside its own field", async () => {
    const page = await (await upload("", "")).text();
    expect(page).toMatch(/<p id="field-unitId-error" class="field-error"[^>]*>Choose a unit\.<\/p>/);
    expect(page).toMatch(/<p id="field-file-error" class="field-error"[^>]*>Choose a CSV file to import \(it is empty or missing\)\.<\/p>/);
  });

  it("takes files up to 20 MB on this page only, and says so when a file is larger", async () => {
    const row = "big.file@example.com,,tax-tips,email,express,2025-01-15,shop\n";
    const justOver = `${HEADER}\n${row.repeat(Math.ceil((20 * 1024 * 1024) / row.length))}`;
    const tooLarge = await upload(taxUnitId, justOver);
    expect(tooLarge.status).toBe(413);
    expect(await text(tooLarge)).toContain("That file is larger than 20 MB. Split it into smaller files and import each one.");

    const farOver = await upload(taxUnitId, justOver + row.repeat(20_000));
    expect(farOver.status).toBe(413);
    expect(await farOver.text()).toBe("That file is larger than 20 MB. Split it into smaller files and import each one.");
    expect(await appDb.db.contact.count({ where: { email: "big.file@example.com" } })).toBe(0);

    // Elsewhere the 64 KiB limit still holds.
    const login = await http.post("/login", { intent: "password", email: "x@example.com", password: "p".repeat(70 * 1024) });
    expect(login.status).toBe(413);
  });
});
