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
    expect(page).toContain('Line 5: topic "no-such-topic" is not a topic of Example Tax');

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
    expect(await appDb.db.subscription.count({ where: { contactId } })).toBe(0);

    // The same file again: nothing new.
    const eventCount = await appDb.db.consentEvent.count();
    const again = await text(await upload(taxUnitId, content));
    expect(again).toContain("Subscribed 0");
    expect(again).toContain("Unchanged (consent already in force) 2");
    expect(await appDb.db.consentEvent.count()).toBe(eventCount);
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
