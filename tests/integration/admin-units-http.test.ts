import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { verifyDkim } from "~/domain/mail/dkim.server.ts";
import { startApp, type RunningApp } from "../helpers/app-server.ts";
import { hashPassword } from "~/domain/accounts/passwords.server.ts";
import { openAppDatabase } from "../helpers/app-database.ts";
import { httpClient, MEMBER_PASSWORD, nextIp } from "../helpers/accounts-http.ts";
import { pythonDkimVerifies, requireDkimPython } from "../helpers/python-dkim.ts";
import { plain, text } from "../helpers/page-text.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// /admin/units and its topic and category pages over real HTTP against the production build,
// as a browser without JavaScript posts them: who may use them, what lands (with its audit
// entry), archived topics refused by the composer and by imports, and a new company on an
// empty database setting up a unit here and sending a DKIM-signed campaign from it.

const { app, appDb, http } = useRunningApp();
let admin: string;
let marketer: string;
let subscriber: string;
const ADMIN_IP = "198.51.100.23";

const KEY = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const OTHER = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = (key: crypto.KeyObject) => key.export({ type: "pkcs8", format: "pem" }).toString();
const IMPORT_HEADER = "email,name,topic,channel,basis,consented_at,source";

beforeAll(async () => {
  [admin, marketer, subscriber] = await Promise.all([DEMO.admin, DEMO.taxMarketer, DEMO.subscriber].map(http.signInAs));
});

const asAdmin = (path: string, fields: Record<string, string>) => http.post(path, fields, { cookie: admin, ip: ADMIN_IP });
const auditActions = (since: number) =>
  appDb.db.auditEvent.findMany({ where: { id: { gt: since } }, orderBy: { id: "asc" }, select: { action: true, target: true, detail: true, actorEmail: true, ip: true } });
const lastAuditId = async () => (await appDb.db.auditEvent.aggregate({ _max: { id: true } }))._max.id ?? 0;
const unitIdOf = async (slug: string) => (await appDb.db.businessUnit.findUnique({ where: { slug } }))!.id;

function unitForm(slug: string, changes: Record<string, string> = {}): Record<string, string> {
  return {
    intent: "save",
    slug,
    displayName: "Acme Garden",
    legalName: "Acme Garden Supplies Ltd",
    postalAddress: "4 Potting Shed Row\r\nGreenfield, EX3 1AG",
    contactEmail: "help@garden.example.com",
    contactPhone: "",
    contactUrl: "https://garden.example.com/contact",
    fromName: "Acme Garden",
    fromEmail: "news@garden.example.com",
    serviceFromEmail: "",
    replyTo: "help@garden.example.com",
    sendingDomain: "garden.example.com",
    dkimDomain: "",
    dkimSelector: "",
    dkimPrivateKey: "",
    brandColor: "#2e7d32",
    logoUrl: "https://garden.example.com/logo.png",
    oneClickScope: "UNIT",
    ...changes,
  };
}

function upload(unitId: number, csv: string, cookie: string) {
  const form = new FormData();
  form.set("unitId", String(unitId));
  form.set("file", new Blob([csv], { type: "text/csv" }), "contacts.csv");
  return fetch(`${app.url}/contacts/import`, { method: "POST", body: form, redirect: "manual", headers: { cookie, "x-forwarded-for": nextIp() } });
}

describe("who may use the unit pages", () => {
  const pages = [
    "/admin/units",
    "/admin/units/new",
    "/admin/units/example-tax",
    "/admin/units/example-tax/topics/new",
    "/admin/units/example-tax/topics/offers",
    "/admin/units/example-tax/categories/new",
    "/admin/units/example-tax/categories/renewal",
  ];
  const posts: [string, Record<string, string>][] = [
    ["/admin/units/new", unitForm("marketer-made")],
    ["/admin/units/example-tax", { ...unitForm("example-tax"), displayName: "Hijacked" }],
    ["/admin/units/example-tax", { intent: "dns-check" }],
    ["/admin/units/example-tax/topics/new", { slug: "sneaky", name: "Sneaky", offersEmail: "on" }],
    ["/admin/units/example-tax/topics/offers", { intent: "archive" }],
    ["/admin/units/example-tax/topics/offers", { intent: "save", name: "Renamed", offersEmail: "on" }],
    ["/admin/units/example-tax/categories/new", { slug: "sneaky", name: "Sneaky", reason: "No.", legalClass: "TRANSACTION" }],
    ["/admin/units/example-tax/categories/renewal", { intent: "archive" }],
    ["/admin/units/example-tax/categories/renewal", { intent: "delete" }],
  ];

  it("answers a marketer of the unit and a subscriber with 404 on every page and every POST, and changes nothing", async () => {
    const before = await lastAuditId();
    const units = await appDb.db.businessUnit.findMany({ orderBy: { id: "asc" } });
    const topics = await appDb.db.topic.findMany({ orderBy: { id: "asc" } });
    const categories = await appDb.db.exemptCategory.findMany({ orderBy: { id: "asc" } });
    for (const cookie of [marketer, subscriber]) {
      for (const page of pages) expect((await http.get(page, { cookie })).status, `GET ${page}`).toBe(404);
      for (const [page, fields] of posts) expect((await http.post(page, fields, { cookie })).status, `POST ${page} ${fields.intent ?? ""}`).toBe(404);
    }
    expect(await appDb.db.businessUnit.findMany({ orderBy: { id: "asc" } })).toEqual(units);
    expect(await appDb.db.topic.findMany({ orderBy: { id: "asc" } })).toEqual(topics);
    expect(await appDb.db.exemptCategory.findMany({ orderBy: { id: "asc" } })).toEqual(categories);
    expect((await auditActions(before))).toEqual([]);
  });

  it("sends people who are not signed in to the sign-in page", async () => {
    for (const page of pages) {
      const response = await http.get(page);
      expect(response.status, page).toBe(302);
      expect(response.headers.get("location"), page).toMatch(/^\/login/);
    }
    expect((await http.post("/admin/units/new", unitForm("anonymous"))).headers.get("location")).toMatch(/^\/login/);
    expect(await appDb.db.businessUnit.count({ where: { slug: "anonymous" } })).toBe(0);
  });

  it("takes the demo seed's units as they are: saving one unchanged changes nothing", async () => {
    const before = await lastAuditId();
    for (const row of await appDb.db.businessUnit.findMany({ orderBy: { id: "asc" } })) {
      // What the edit form posts: the stored values, empty for none, and an empty key box.
      const fields = Object.fromEntries(
        Object.entries(row).map(([key, value]) => [key, value === null ? "" : value instanceof Date ? value.toISOString() : String(value)]),
      );
      const response = await asAdmin(`/admin/units/${row.slug}`, { ...fields, intent: "save", dkimPrivateKey: "" });
      expect(response.status, String(row.slug)).toBe(302);
      expect(response.headers.get("location")).toBe(`/admin/units/${row.slug}?notice=unchanged`);
    }
    expect((await auditActions(before))).toEqual([]);
  });

  it("shows an admin the list, with what each unit still needs", async () => {
    const page = await text(await http.get("/admin/units", { cookie: admin }));
    expect(page).toContain("Business units");
    for (const name of ["Example Tax", "Example Insurance", "Example Travel"]) expect(page).toContain(name);
  });
});

describe("an admin's changes land, each with its audit entry", () => {
  it("creates a unit: bad fields are named with a 400, a good form redirects to the unit", async () => {
    const before = await lastAuditId();
    const bad = await asAdmin("/admin/units/new", unitForm("Acme Garden", { legalName: "", fromEmail: "news@elsewhere.example.org", logoUrl: "http://garden.example.com/logo.png", dkimPrivateKey: pem(KEY.privateKey) }));
    expect(bad.status).toBe(400);
    const page = await bad.text();
    const said = plain(page);
    expect(said).toContain("The slug may contain only lower-case letters, digits and hyphens");
    expect(said).toContain("Enter the legal name of the company behind the unit");
    expect(said).toContain("The From address must be on the sending domain garden.example.com");
    expect(said).toContain("The logo address must be a full https:// address");
    expect(said).toContain("paste it again");
    // The pasted key is not sent back.
    expect(page).not.toContain(pem(KEY.privateKey).split("\n")[2]);
    expect((await auditActions(before))).toEqual([]);

    const good = await asAdmin("/admin/units/new", unitForm("acme-garden"));
    expect(good.status).toBe(302);
    expect(good.headers.get("location")).toBe("/admin/units/acme-garden?notice=unit-created");
    const [entry] = await auditActions(before);
    expect(entry).toMatchObject({ action: "unit.create", actorEmail: "admin@example.com", ip: ADMIN_IP });
    expect(JSON.parse(entry.detail!)).toEqual({ slug: "acme-garden", displayName: "Acme Garden" });
    const shown = await text(await http.get("/admin/units/acme-garden?notice=unit-created", { cookie: admin }));
    expect(shown).toContain("The unit is created.");
    expect(shown).toContain("needs a topic before it can send");
  });

  it("stores a DKIM key it never shows again, shows its record to publish, and names the changed fields", async () => {
    const before = await lastAuditId();
    const saved = await asAdmin("/admin/units/acme-garden", unitForm("ignored", { displayName: "Acme Garden Centre", dkimSelector: "pc2026", dkimPrivateKey: pem(KEY.privateKey) }));
    expect(saved.status).toBe(302);
    expect(saved.headers.get("location")).toBe("/admin/units/acme-garden?notice=saved");
    const page = await (await http.get("/admin/units/acme-garden", { cookie: admin })).text();
    for (const line of pem(KEY.privateKey).split("\n").slice(1, -2)) expect(page).not.toContain(line);
    expect(plain(page)).toMatch(/A key is stored \( ?RSA, 2048 bits; public key fingerprint SHA256:\S+ ?\)\. It is never shown again\./);
    expect(plain(page)).toContain(`v=DKIM1; k=rsa; p=${KEY.publicKey.export({ type: "spki", format: "der" }).toString("base64")}`);
    expect((await appDb.db.businessUnit.findFirst({ where: { displayName: "Acme Garden Centre" } }))!.slug).toBe("acme-garden");

    const entries = (await auditActions(before)).map((e) => ({ action: e.action, detail: JSON.parse(e.detail!) }));
    expect(entries).toEqual([
      { action: "unit.update", detail: { slug: "acme-garden", changed: ["displayName", "dkimSelector", "dkimPrivateKey: added"] } },
    ]);
    expect(JSON.stringify(await appDb.db.auditEvent.findMany())).not.toContain("PRIVATE KEY");

    // Replacing and removing are recorded as such; removing clears the selector with it.
    await asAdmin("/admin/units/acme-garden", unitForm("x", { displayName: "Acme Garden Centre", dkimSelector: "pc2026", dkimPrivateKey: pem(OTHER.privateKey) }));
    await asAdmin("/admin/units/acme-garden", unitForm("x", { displayName: "Acme Garden Centre", dkimSelector: "pc2026", removeDkimKey: "on" }));
    expect((await auditActions(before)).slice(-2).map((e) => JSON.parse(e.detail!).changed)).toEqual([["dkimPrivateKey: replaced"], ["dkimSelector", "dkimPrivateKey: removed"]]);
    expect(await appDb.db.businessUnit.findUnique({ where: { slug: "acme-garden" }, select: { dkimPrivateKey: true, dkimSelector: true } })).toEqual({ dkimPrivateKey: null, dkimSelector: null });
    expect(plain(await (await http.get("/admin/units/acme-garden", { cookie: admin })).text())).toContain("No DKIM key is stored: mail goes out unsigned");
  });

  it("creates, edits, archives and unarchives topics and categories, and deletes them only without history", async () => {
    const before = await lastAuditId();
    const unitId = await unitIdOf("acme-garden");
    const bad = await asAdmin("/admin/units/acme-garden/topics/new", { slug: "", name: "" });
    expect(bad.status).toBe(400);
    expect(await text(bad)).toContain("Choose at least one channel the topic is offered on.");

    const steps: [string, Record<string, string>, string][] = [
      ["/admin/units/acme-garden/topics/new", { slug: "seed-tips", name: "Seed tips", description: "What to sow.", offersEmail: "on" }, "/admin/units/acme-garden?notice=topic-created#topics"],
      ["/admin/units/acme-garden/topics/seed-tips", { intent: "save", name: "Seed and sowing tips", description: "What to sow.", offersEmail: "on", offersPostal: "on" }, "/admin/units/acme-garden/topics/seed-tips?notice=saved"],
      ["/admin/units/acme-garden/topics/seed-tips", { intent: "archive" }, "/admin/units/acme-garden/topics/seed-tips?notice=archived"],
      ["/admin/units/acme-garden/topics/seed-tips", { intent: "unarchive" }, "/admin/units/acme-garden/topics/seed-tips?notice=unarchived"],
      ["/admin/units/acme-garden/topics/new", { slug: "typo-topic", name: "Typo", offersEmail: "on" }, "/admin/units/acme-garden?notice=topic-created#topics"],
      ["/admin/units/acme-garden/topics/typo-topic", { intent: "delete" }, "/admin/units/acme-garden?notice=topic-deleted#topics"],
      ["/admin/units/acme-garden/categories/new", { slug: "renewal", name: "Renewal notices", reason: "You need to know before a plan renews.", legalClass: "TRANSACTION" }, "/admin/units/acme-garden?notice=category-created#categories"],
      ["/admin/units/acme-garden/categories/renewal", { intent: "save", name: "Renewal notices", reason: "You need to know before your plan renews.", legalClass: "TRANSACTION" }, "/admin/units/acme-garden/categories/renewal?notice=saved"],
      ["/admin/units/acme-garden/categories/renewal", { intent: "archive" }, "/admin/units/acme-garden/categories/renewal?notice=archived"],
      ["/admin/units/acme-garden/categories/renewal", { intent: "unarchive" }, "/admin/units/acme-garden/categories/renewal?notice=unarchived"],
      ["/admin/units/acme-garden/categories/new", { slug: "oops", name: "Oops", reason: "A mistake.", legalClass: "EMPLOYMENT" }, "/admin/units/acme-garden?notice=category-created#categories"],
      ["/admin/units/acme-garden/categories/oops", { intent: "delete" }, "/admin/units/acme-garden?notice=category-deleted#categories"],
    ];
    for (const [page, fields, location] of steps) {
      const response = await asAdmin(page, fields);
      expect(response.status, `${page} ${fields.intent ?? "create"}`).toBe(302);
      expect(response.headers.get("location")).toBe(location);
    }
    expect((await auditActions(before)).map((e) => [e.action, e.ip])).toEqual(
      [
        "topic.create",
        "topic.update",
        "topic.archive",
        "topic.unarchive",
        "topic.create",
        "topic.delete",
        "category.create",
        "category.update",
        "category.archive",
        "category.unarchive",
        "category.create",
        "category.delete",
      ].map((action) => [action, ADMIN_IP]),
    );
    expect(JSON.parse((await auditActions(before))[1].detail!)).toEqual({ unit: "acme-garden", slug: "seed-tips", changed: ["name", "offersPostal"] });
    expect(await appDb.db.topic.findUnique({ where: { unitId_slug: { unitId, slug: "seed-tips" } }, select: { name: true, offersEmail: true, offersPostal: true, archivedAt: true } })).toEqual({
      name: "Seed and sowing tips",
      offersEmail: true,
      offersPostal: true,
      archivedAt: null,
    });
    expect(await appDb.db.topic.count({ where: { unitId, slug: "typo-topic" } })).toBe(0);

    // A topic with subscriptions cannot be deleted: archive it instead.
    const refused = await asAdmin("/admin/units/example-tax/topics/offers", { intent: "delete" });
    expect(refused.status).toBe(409);
    expect(await text(refused)).toContain("cannot be deleted: archive it instead");
  });
});

describe("an archived topic", () => {
  it("cannot be archived while a campaign on it is scheduled; once archived, the composer refuses it and the draft cannot be sent", async () => {
    const unitId = await unitIdOf("example-tax");
    const topicId = (await appDb.db.topic.findUnique({ where: { unitId_slug: { unitId, slug: "webinars" } } }))!.id;
    const draft = { unitId: String(unitId), topicId: String(topicId), subject: "Spring webinars", preheader: "", bodyMarkdown: "Join us **live**.", intent: "save" };
    const created = await http.post("/campaigns/new", draft, { cookie: marketer });
    expect(created.status).toBe(302);
    const campaignPath = created.headers.get("location")!;
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString().slice(0, 16);
    expect((await http.post(campaignPath, { intent: "schedule", scheduledAt: inAnHour, tzOffset: "0" }, { cookie: marketer })).status).toBe(200);

    const refused = await asAdmin("/admin/units/example-tax/topics/webinars", { intent: "archive" });
    expect(refused.status).toBe(409);
    expect(await text(refused)).toContain(`A campaign is scheduled on this topic: “Spring webinars” (#${campaignPath.split("/").at(-1)}). Cancel its schedule`);
    expect((await appDb.db.topic.findUnique({ where: { id: topicId } }))!.archivedAt).toBeNull();

    expect((await http.post(campaignPath, { intent: "cancel" }, { cookie: marketer })).status).toBe(200);
    expect((await asAdmin("/admin/units/example-tax/topics/webinars", { intent: "archive" })).status).toBe(302);

    const composer = await http.post("/campaigns/new", draft, { cookie: marketer });
    expect(composer.status).toBe(400);
    expect(await text(composer)).toContain("“Webinars and events” is archived: it takes no new campaigns.");
    const send = await http.post(campaignPath, { intent: "send" }, { cookie: marketer });
    expect(send.status).toBe(400);
    expect(await text(send)).toContain("“Webinars and events” is archived: it takes no new campaigns. Edit the draft and choose another topic.");
    expect(await appDb.db.campaign.findUnique({ where: { id: Number(campaignPath.split("/").at(-1)) }, select: { status: true, startedAt: true } })).toEqual({ status: "DRAFT", startedAt: null });
    // The composer no longer offers it.
    const offered = await (await http.get("/campaigns/new", { cookie: marketer })).text();
    expect(offered).toContain("Tax tips");
    expect(offered).not.toContain("Webinars and events"); // neither as the topic nor among "also send to"
  });

  it("is refused by an import, row by row, with the line and the reason", async () => {
    const unitId = await unitIdOf("example-tax");
    const csv = [IMPORT_HEADER, "new.webinar.fan@example.com,Fan,webinars,email,express,2025-03-01,webinar signup", "new.tips.fan@example.com,Tips,tax-tips,email,express,2025-03-01,form"].join("\n");
    const response = await upload(unitId, csv, marketer);
    expect(response.status).toBe(200);
    const report = await text(response);
    // The rows not imported, each with its line, the address as typed and the reason.
    expect(report).toMatch(/\b2\s*new\.webinar\.fan@example\.com\s*topic “webinars” is archived and takes no new subscriptions/);
    expect(await appDb.db.contact.count({ where: { email: "new.webinar.fan@example.com" } })).toBe(0);
    expect(await appDb.db.subscription.count({ where: { contact: { email: "new.tips.fan@example.com" } } })).toBe(1);
  });
});

describe("a new company, on an empty database with only its first admin", () => {
  let empty: RunningApp;
  let emptyDb: ReturnType<typeof openAppDatabase>;
  let web: ReturnType<typeof httpClient>;
  let first: string;

  beforeAll(async () => {
    empty = await startApp({ env: { SKIP_DEMO_SEED: "1" } });
    emptyDb = openAppDatabase(empty);
    // What the CLI's first-admin command leaves: one verified admin account and nothing else.
    await emptyDb.db.user.create({
      data: { email: "first.admin@tools.example.com", name: "First Admin", passwordHash: await hashPassword(MEMBER_PASSWORD), role: "ADMIN", emailVerifiedAt: new Date() },
    });
    web = httpClient(empty);
    first = await web.signIn("first.admin@tools.example.com");
  });

  afterAll(async () => {
    await emptyDb?.close();
    await empty?.stop();
  });

  it("sets up a unit, a topic and a category through these pages, imports contacts and sends a campaign signed with the unit's DKIM key", { timeout: 60_000 }, async () => {
    expect(await emptyDb.db.businessUnit.count()).toBe(0);
    expect(await text(await web.get("/admin/units", { cookie: first }))).toContain("No business units yet.");
    const post = (page: string, fields: Record<string, string>) => web.post(page, fields, { cookie: first });
    const unit = unitForm("acme-tools", { displayName: "Acme Tools", legalName: "Acme Tools Ltd", fromName: "Acme Tools", fromEmail: "news@tools.example.com", sendingDomain: "tools.example.com", replyTo: "", contactUrl: "", logoUrl: "", dkimSelector: "pc2026", dkimPrivateKey: pem(KEY.privateKey) });
    expect((await post("/admin/units/new", unit)).status).toBe(302);
    expect((await post("/admin/units/acme-tools/topics/new", { slug: "new-tools", name: "New tools", offersEmail: "on" })).status).toBe(302);
    expect((await post("/admin/units/acme-tools/categories/new", { slug: "renewal", name: "Renewal notices", reason: "You need to know before your plan renews.", legalClass: "TRANSACTION" })).status).toBe(302);
    const page = await (await web.get("/admin/units/acme-tools", { cookie: first })).text();
    expect(plain(page)).toContain("ready to send");
    const record = plain(/<code class="txt-value">([^<]+)<\/code>/.exec(page)![1]).trim();

    const unitId = (await emptyDb.db.businessUnit.findUnique({ where: { slug: "acme-tools" } }))!.id;
    const topicId = (await emptyDb.db.topic.findUnique({ where: { unitId_slug: { unitId, slug: "new-tools" } } }))!.id;
    const form = new FormData();
    form.set("unitId", String(unitId));
    form.set("file", new Blob([[IMPORT_HEADER, "tool.fan.1@example.com,Fan One,new-tools,email,express,2025-04-01,shop", "tool.fan.2@example.com,Fan Two,new-tools,email,express,2025-04-01,shop"].join("\n")], { type: "text/csv" }), "contacts.csv");
    const imported = await fetch(`${empty.url}/contacts/import`, { method: "POST", body: form, headers: { cookie: first, "x-forwarded-for": nextIp() } });
    expect(imported.status).toBe(200);
    expect(await emptyDb.db.subscription.count({ where: { topicId, status: "SUBSCRIBED" } })).toBe(2);

    const created = await post("/campaigns/new", { unitId: String(unitId), topicId: String(topicId), subject: "New drills are in", preheader: "", bodyMarkdown: "See the **new drills**.", intent: "save" });
    expect(created.status).toBe(302);
    const campaignId = Number(created.headers.get("location")!.split("/").at(-1));
    expect(await text(await post(`/campaigns/${campaignId}`, { intent: "send" }))).toContain("Sending has started.");
    await vi.waitFor(async () => expect(await emptyDb.db.delivery.count({ where: { campaignId, status: "SENT" } })).toBe(2), { timeout: 20_000, interval: 200 });

    const messages = fs
      .readdirSync(empty.outboxDir)
      .filter((f) => f.endsWith(".eml"))
      .map((f) => fs.readFileSync(path.join(empty.outboxDir, f)))
      .filter((raw) => raw.toString("latin1").includes("Subject: New drills are in"));
    expect(messages).toHaveLength(2);
    const python = requireDkimPython();
    for (const raw of messages) {
      const message = raw.toString("latin1");
      expect(message).toMatch(/^From: Acme Tools <news@tools\.example\.com>/m);
      expect(message).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
      expect(message).toContain("Acme Tools Ltd");
      const lookup = (selector: string, domain: string) => (`${selector}._domainkey.${domain}` === "pc2026._domainkey.tools.example.com" ? record : null);
      expect(await verifyDkim(raw, lookup)).toEqual({ pass: true, domain: "tools.example.com", selector: "pc2026", algorithm: "rsa-sha256" });
      expect(pythonDkimVerifies(python, raw, "pc2026", "tools.example.com", record)).toBe(true);
    }
    expect((await emptyDb.db.auditEvent.findMany({ orderBy: { id: "asc" } })).map((e) => e.action)).toEqual(["unit.create", "topic.create", "category.create", "contacts.import", "campaign.create", "campaign.send"]);
  });
});
