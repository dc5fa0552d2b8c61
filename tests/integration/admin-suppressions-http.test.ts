import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { addressHash } from "~/domain/consent/address-hash.server.ts";
import { isEligible, type ConsentState } from "~/domain/consent/eligibility.ts";
import { nextIp } from "../helpers/accounts-http.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// /admin/suppressions over real HTTP against the production build, on the demo data: only
// admins get in; adding and removing go through the consent core (ledger) and the audit log;
// bounces, complaints and erasures cannot be removed; files in and out.

const { app, appDb, http } = useRunningApp();
let admin: string;
let marketer: string;
let subscriber: string;
let adminId: number;
/** Three demo contacts who may get promotional email about a topic, chosen before any test changes them. */
let people: { contactId: number; email: string; unitId: number; topicId: number }[];

beforeAll(async () => {
  [admin, marketer, subscriber] = await Promise.all([DEMO.admin, DEMO.taxMarketer, DEMO.subscriber].map(http.signInAs));
  adminId = (await appDb.db.user.findUnique({ where: { email: "admin@example.com" } }))!.id;
  people = [await eligibleRecipient(0), await eligibleRecipient(1), await eligibleRecipient(2)];
});

const plain = (html: string) =>
  html
    .replace(/<!-- -->|<wbr\/>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");

function post(path: string, fields: Record<string, string>, cookie = admin, ip = nextIp()) {
  return fetch(`${app.url}${path}`, {
    method: "POST",
    body: new URLSearchParams(fields),
    redirect: "manual",
    headers: { cookie, "x-forwarded-for": ip, "user-agent": "Suppressions-Test/1.0" },
  });
}

function upload(content: string, fileName = "blocklist.csv", cookie = admin) {
  const form = new FormData();
  form.set("file", new Blob([content], { type: "text/csv" }), fileName);
  return fetch(`${app.url}/admin/suppressions/import`, {
    method: "POST",
    body: form,
    redirect: "manual",
    headers: { cookie, "x-forwarded-for": nextIp() },
  });
}

/** One contact's consent state, read straight from the tables. */
async function consentState(contactId: number): Promise<ConsentState> {
  const where = { contactId };
  const [subscriptions, unitOptOuts, globalOptOuts, snoozes, suppressions] = await Promise.all([
    appDb.db.subscription.findMany({ where, select: { topicId: true, channel: true, status: true, expiresAt: true } }),
    appDb.db.unitOptOut.findMany({ where, select: { unitId: true, channel: true } }),
    appDb.db.globalOptOut.findMany({ where, select: { channel: true } }),
    appDb.db.snooze.findMany({ where, select: { unitId: true, until: true } }),
    appDb.db.suppression.findMany({ where, select: { reason: true } }),
  ]);
  // No test here makes a "send me less" choice.
  return { subscriptions, unitOptOuts, globalOptOuts, snoozes, suppressions, frequencyChoices: [], recentSends: [] };
}

/** A demo contact who may get promotional email about a topic now, and that topic. */
async function eligibleRecipient(skip: number): Promise<{ contactId: number; email: string; unitId: number; topicId: number }> {
  const promotable = { channel: "EMAIL", status: "SUBSCRIBED", expiresAt: null } as const;
  const contact = await appDb.db.contact.findFirst({
    where: {
      subscriptions: { some: promotable },
      unitOptOuts: { none: {} },
      globalOptOuts: { none: {} },
      snoozes: { none: {} },
      suppressions: { none: {} },
      email: { not: "jane.doe@example.com" },
    },
    orderBy: { id: "asc" },
    skip,
    select: { id: true, email: true, subscriptions: { where: promotable, orderBy: { id: "asc" }, take: 1, select: { topicId: true, topic: { select: { unitId: true } } } } },
  });
  const [subscription] = contact!.subscriptions;
  return { contactId: contact!.id, email: contact!.email, unitId: subscription.topic.unitId, topicId: subscription.topicId };
}

/** A suppression written as the bounce handling would, straight into the table. */
async function insertSuppression(email: string | null, hashOf: string, reason: "HARD_BOUNCE" | "SOFT_BOUNCE" | "COMPLAINT" | "ERASED") {
  const contact = email ? await appDb.db.contact.findUnique({ where: { email } }) : null;
  const suppression = await appDb.db.suppression.create({
    data: { emailHash: addressHash(hashOf), email: reason === "ERASED" ? null : email, contactId: reason === "ERASED" ? null : (contact?.id ?? null), reason, note: null },
  });
  return suppression.id;
}

const counts = async () => ({
  suppressions: await appDb.db.suppression.count(),
  events: await appDb.db.consentEvent.count(),
  audits: await appDb.db.auditEvent.count(),
});

describe("who may use the admin pages", () => {
  const paths = [
    "/admin/suppressions",
    "/admin/suppressions/import",
    "/admin/suppressions.csv",
    "/admin/ledger",
    "/admin/ledger.csv",
    "/admin/ledger.csv?unit=example-tax",
  ];

  it("answers marketers and subscribers 404 on GET and POST, and changes nothing", async () => {
    const before = (await counts());
    for (const path of paths) {
      for (const cookie of [marketer, subscriber]) {
        expect((await http.get(path, { cookie })).status, `GET ${path}`).toBe(404);
        const response = await post(path, { intent: "add", email: "victim@example.com", note: "x", reason: "MANUAL" }, cookie);
        expect(response.status, `POST ${path}`).toBe(404);
      }
    }
    const form = new FormData();
    form.set("file", new Blob(["email\nvictim@example.com\n"]), "x.csv");
    const multipart = await fetch(`${app.url}/admin/suppressions/import`, {
      method: "POST",
      body: form,
      redirect: "manual",
      headers: { cookie: marketer },
    });
    expect(multipart.status).toBe(404);
    expect((await counts())).toEqual(before);
  });

  it("sends people who are not signed in to the sign-in page", async () => {
    for (const path of ["/admin/suppressions", "/admin/ledger"]) {
      const response = await http.get(path);
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toMatch(/^\/login/);
    }
  });

  it("lets an admin in", async () => {
    for (const path of ["/admin/suppressions", "/admin/suppressions/import", "/admin/ledger"])
      expect((await http.get(path, { cookie: admin })).status, path).toBe(200);
    // GET never downloads (a download writes the audit log): it goes back to the page.
    const csvGet = await http.get("/admin/suppressions.csv", { cookie: admin });
    expect(csvGet.status).toBe(302);
    expect(csvGet.headers.get("location")).toBe("/admin/suppressions");
  });
});

describe("adding and removing a manual suppression", () => {
  it("adds with a note: the row, a SUPPRESS ledger event and an audit entry; the person is no longer eligible", async () => {
    const person = people[0];
    const target = { unitId: person.unitId, topicId: person.topicId, channel: "EMAIL" as const };
    expect(isEligible(await consentState(person.contactId), target, new Date())).toBe(true);

    const response = await post(
      "/admin/suppressions",
      { intent: "add", email: `  ${person.email.toUpperCase()} `, note: "Asked by phone to stop all marketing" },
      admin,
      "203.0.113.71",
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`/admin/suppressions?${new URLSearchParams({ q: person.email, done: "added" })}`);

    const row = (await appDb.db.suppression.findFirst({ where: { email: person.email, reason: "MANUAL" }, orderBy: { id: "asc" } }))!;
    expect(row).toMatchObject({ contactId: person.contactId, note: "Asked by phone to stop all marketing" });
    const event = (await appDb.db.consentEvent.findFirst({ where: { contactId: person.contactId, action: "SUPPRESS" }, orderBy: { id: "desc" } }))!;
    expect(event).toMatchObject({
      source: "ADMIN",
      actor: `user:${adminId}`,
      ip: "203.0.113.71",
      userAgent: "Suppressions-Test/1.0",
      changed: true,
      channel: "EMAIL",
    });
    const audit = (await appDb.db.auditEvent.findFirst({ where: { action: "suppression.add" }, orderBy: { id: "desc" } }))!;
    expect(audit).toMatchObject({ actorUserId: adminId, actorEmail: "admin@example.com", target: `suppression:${row.id}`, ip: "203.0.113.71" });
    expect(JSON.parse(audit.detail as string)).toMatchObject({ reason: "MANUAL", contactId: person.contactId, ledgerEventId: event.id });
    expect(audit.detail as string).not.toContain(person.email);
    expect(isEligible(await consentState(person.contactId), target, new Date())).toBe(false);

    const page = plain(await (await http.get(response.headers.get("location")!, { cookie: admin })).text());
    expect(page).toContain(`Added a manual suppression for ${person.email}`);
    expect(page).toContain("Asked by phone to stop all marketing");

    // Something else asked on the same page (here an add that is refused): the "Added" banner is the past and goes.
    const next = await post(response.headers.get("location")!, { intent: "add", email: person.email, note: "again" });
    expect(next.status).toBe(409);
    const after = plain(await next.text());
    expect(after).toContain("already has a manual suppression");
    expect(after).not.toContain("Added a manual suppression");
  });

  it("refuses an add without a note or with a bad address (400, per field), or a repeat (409)", async () => {
    const before = (await counts());
    const noNote = await post("/admin/suppressions", { intent: "add", email: "someone@example.com", note: "  " });
    expect(noNote.status).toBe(400);
    expect(plain(await noNote.text())).toContain("Say why this address is blocked");
    const badAddress = await post("/admin/suppressions", { intent: "add", email: "not an address", note: "x" });
    expect(badAddress.status).toBe(400);
    expect(plain(await badAddress.text())).toContain("Enter a valid email address");
    const repeat = await post("/admin/suppressions", { intent: "add", email: people[0].email, note: "again" });
    expect(repeat.status).toBe(409);
    expect(plain(await repeat.text())).toContain("already has a manual suppression");
    expect((await counts())).toEqual(before);
  });

  it("removes a manual entry: an UNSUPPRESS event and an audit entry; the person is eligible again only where subscribed", async () => {
    const person = people[1];
    // A topic of the same unit the person never chose (the demo data differs between the
    // databases, so the test makes its own rather than hoping the person left one out).
    const unsubscribedTopic = await appDb.db.topic.create({ data: { unitId: person.unitId, slug: "never-chosen", name: "Never chosen", offersEmail: true } });
    await post("/admin/suppressions", { intent: "add", email: person.email, note: "complained on the phone" });
    const id = (await appDb.db.suppression.findFirst({ where: { email: person.email, reason: "MANUAL" }, orderBy: { id: "asc" } }))!.id;
    const subscribed = { unitId: person.unitId, topicId: person.topicId, channel: "EMAIL" as const };
    const notSubscribed = { ...subscribed, topicId: unsubscribedTopic.id };
    expect(isEligible(await consentState(person.contactId), subscribed, new Date())).toBe(false);

    const response = await post("/admin/suppressions", { intent: "remove", id: String(id) }, admin, "203.0.113.72");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`/admin/suppressions?${new URLSearchParams({ q: person.email, done: "removed" })}`);
    expect((await appDb.db.suppression.count({ where: { id } }))).toBe(0);
    const event = (await appDb.db.consentEvent.findFirst({ where: { contactId: person.contactId }, orderBy: { id: "desc" } }))!;
    expect(event).toMatchObject({ action: "UNSUPPRESS", source: "ADMIN", actor: `user:${adminId}`, ip: "203.0.113.72", changed: true });
    const audit = (await appDb.db.auditEvent.findFirst({ where: { action: "suppression.remove" }, orderBy: { id: "desc" } }))!;
    expect(audit).toMatchObject({ actorUserId: adminId, target: `suppression:${id}`, ip: "203.0.113.72" });
    expect(JSON.parse(audit.detail as string)).toMatchObject({ ledgerEventId: event.id });

    expect(isEligible(await consentState(person.contactId), subscribed, new Date())).toBe(true);
    expect(isEligible(await consentState(person.contactId), notSubscribed, new Date())).toBe(false);
    const confirmed = plain(await (await http.get(response.headers.get("location")!, { cookie: admin })).text());
    expect(confirmed).toContain(`Removed the manual suppression for ${person.email}.`);
    expect(confirmed).toContain("only where they are subscribed");

    const again = await post("/admin/suppressions", { intent: "remove", id: String(id) });
    expect(again.status).toBe(404);
  });

  it("lists a repeated-soft-bounce entry under its own kind and removes it: the mailbox may work again", async () => {
    const person = await eligibleRecipient(3);
    const subscribed = { unitId: person.unitId, topicId: person.topicId, channel: "EMAIL" as const };
    const id = await insertSuppression(person.email, person.email, "SOFT_BOUNCE");
    expect(isEligible(await consentState(person.contactId), subscribed, new Date())).toBe(false);
    const listed = await (await http.get(`/admin/suppressions?q=${encodeURIComponent(person.email)}&reason=SOFT_BOUNCE`, { cookie: admin })).text();
    expect(plain(listed)).toContain("Repeated soft bounces");
    expect(listed).toContain(`aria-label="Remove the soft-bounce suppression of ${person.email}"`);

    const response = await post("/admin/suppressions", { intent: "remove", id: String(id) }, admin, "203.0.113.73");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`/admin/suppressions?${new URLSearchParams({ q: person.email, done: "removed-soft" })}`);
    expect((await appDb.db.suppression.count({ where: { id } }))).toBe(0);
    const event = (await appDb.db.consentEvent.findFirst({ where: { contactId: person.contactId }, orderBy: { id: "desc" } }))!;
    expect(event).toMatchObject({ action: "UNSUPPRESS", source: "ADMIN", actor: `user:${adminId}`, ip: "203.0.113.73", changed: true });
    expect(JSON.parse(event.detail as string)).toMatchObject({ reason: "SOFT_BOUNCE" });
    expect(isEligible(await consentState(person.contactId), subscribed, new Date())).toBe(true);
    expect(plain(await (await http.get(response.headers.get("location")!, { cookie: admin })).text())).toContain(`Removed the soft-bounce suppression for ${person.email}.`);
  });

  it("refuses to remove a hard bounce, a complaint or an erasure (409, says why), and changes nothing", async () => {
    const person = people[2];
    const bounce = await insertSuppression(person.email, person.email, "HARD_BOUNCE");
    const complaint = await insertSuppression(person.email, person.email, "COMPLAINT");
    const erased = await insertSuppression(null, "gone@example.com", "ERASED");
    const before = (await counts());
    const cases = [
      [bounce, "bounced permanently"],
      [complaint, "reported our mail as spam"],
      [erased, "asked to be erased"],
    ] as const;
    for (const [id, why] of cases) {
      const response = await post("/admin/suppressions", { intent: "remove", id: String(id) });
      expect(response.status).toBe(409);
      const text = plain(await response.text());
      expect(text).toContain("cannot be removed");
      expect(text).toContain(why);
    }
    expect((await counts())).toEqual(before);
    const page = plain(await (await http.get(`/admin/suppressions?q=${encodeURIComponent(person.email)}`, { cookie: admin })).text());
    expect(page).toContain("Hard bounce");
    expect(page).toContain("Why it stays");
    expect(page).not.toContain(`Remove the manual suppression of ${person.email}`);
  });
});

describe("searching", () => {
  it("finds an address however it is typed, an erased one by its hash only, and filters by kind", async () => {
    await insertSuppression(null, "Erased.Person@Example.com", "ERASED");
    const erasedPage = await (
      await http.get(`/admin/suppressions?q=${encodeURIComponent("  ERASED.person@example.COM ")}`, { cookie: admin })
    ).text();
    const erased = plain(erasedPage.match(/<table[\s\S]*?<\/table>/)![0]);
    expect(erased).toContain("erased (hash only)");
    expect(erased).toContain("Erased");
    expect(erased.toLowerCase()).not.toContain("erased.person@example.com");

    const person = people[2];
    const byPart = await (
      await http.get(`/admin/suppressions?q=${encodeURIComponent(person.email.split("@")[0].toUpperCase())}&reason=COMPLAINT`, { cookie: admin })
    ).text();
    const table = plain(byPart.match(/<table[\s\S]*?<\/table>/)![0]);
    expect(table).toContain(person.email);
    expect(table).toContain("Spam complaint");
    expect(table).not.toContain("Hard bounce");

    const none = await http.get("/admin/suppressions?q=nobody-here%40example.com", { cookie: admin });
    expect(plain(await none.text())).toContain("No suppression for “nobody-here@example.com”");
    const bad = await http.get("/admin/suppressions?reason=SOMETHING", { cookie: admin });
    expect(bad.status).toBe(400);
  });

  it("pages newest first without repeats or gaps", async () => {
    const content = ["email", ...Array.from({ length: 120 }, (_, i) => `paging-${i}@example.net`)].join("\n");
    expect((await upload(content, "paging.csv")).status).toBe(200);
    const seen: string[] = [];
    let next: string | null = "/admin/suppressions?q=paging-";
    while (next) {
      const html = await (await http.get(next, { cookie: admin })).text();
      seen.push(...[...html.matchAll(/<td data-label="Address" class="address">paging-(\d+)<wbr\/>@example\.net<\/td>/g)].map((m) => m[1]));
      next = html.match(/href="([^"]*before=\d+[^"]*)"/)?.[1].replace(/&amp;/g, "&") ?? null;
    }
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => String(119 - i)));
  });
});

describe("files", () => {
  it("imports a file, names each bad line by number, and a rerun changes nothing", async () => {
    const content = [
      "email,reason,note",
      "import-a@example.org,,from the old ESP",
      "import-b@example.org,hard_bounce,",
      "not-an-address,manual,",
      "import-c@example.org,erased,",
      'import-d@example.org,COMPLAINT,"said: stop, please"',
      "import-e@example.org,unsubscribe,",
    ].join("\n");
    const before = (await counts());
    const first = await upload(content);
    expect(first.status).toBe(200);
    const report = plain(await first.text());
    expect(report).toContain("6 lines read: 3 added, 0 already suppressed, 0 erased, 3 bad");
    expect(report).toMatch(/Line 4: email "not-an-address"/);
    expect(report).toMatch(/Line 5: reason erased cannot be imported/);
    expect(report).toMatch(/Line 7: reason must be manual, complaint, hard_bounce or soft_bounce/);
    const afterFirst = (await counts());
    expect(afterFirst).toEqual({ suppressions: before.suppressions + 3, events: before.events + 3, audits: before.audits + 1 });
    expect(await appDb.db.suppression.findMany({ where: { email: { startsWith: "import-" } }, orderBy: { email: "asc" }, select: { email: true, reason: true, note: true } })).toEqual([
      { email: "import-a@example.org", reason: "MANUAL", note: "from the old ESP" },
      { email: "import-b@example.org", reason: "HARD_BOUNCE", note: "Imported from blocklist.csv" },
      { email: "import-d@example.org", reason: "COMPLAINT", note: "said: stop, please" },
    ]);
    const events = await appDb.db.consentEvent.findMany({ orderBy: { id: "desc" }, take: 3, select: { source: true, actor: true } });
    expect(events).toEqual(Array(3).fill({ source: "ADMIN", actor: `user:${adminId}` }));
    const audit = (await appDb.db.auditEvent.findFirst({ where: { action: "suppression.import" }, orderBy: { id: "desc" } }))!;
    expect(JSON.parse(audit.detail!)).toMatchObject({
      file: "blocklist.csv",
      rows: 6,
      added: 3,
      bad: 3,
      addedByReason: { MANUAL: 1, HARD_BOUNCE: 1, COMPLAINT: 1, SOFT_BOUNCE: 0 },
    });

    const second = await upload(content);
    expect(plain(await second.text())).toContain("6 lines read: 0 added, 3 already suppressed, 0 erased, 3 bad");
    expect((await counts())).toEqual({ ...afterFirst, audits: afterFirst.audits + 1 });
  });

  it("takes files larger than an ordinary form (up to 5 MB) on the import path only", async () => {
    const lines = Array.from({ length: 4000 }, (_, i) => `big-${i}@example.net,manual,from a file larger than 64 KiB`);
    const content = ["email,reason,note", ...lines].join("\n");
    expect(content.length).toBeGreaterThan(64 * 1024);
    const big = await upload(content, "big.csv");
    expect(big.status).toBe(200);
    expect(plain(await big.text())).toContain("4,000 lines read: 4,000 added");
    const tooBig = await upload("email\n" + "x".repeat(5 * 1024 * 1024), "huge.csv");
    expect(tooBig.status).toBe(413);
    expect(await tooBig.text()).toContain("larger than 5 MB");
    const elsewhere = await post("/admin/suppressions", { intent: "add", email: "a@example.com", note: "x".repeat(70 * 1024) });
    expect(elsewhere.status).toBe(413);
  });

  it("refuses a file that is not a suppression file, and writes nothing", async () => {
    const before = (await counts());
    const wrong = await upload("email,name,topic\na@example.com,A,offers\n");
    expect(wrong.status).toBe(400);
    expect(plain(await wrong.text())).toContain("Nothing was imported. The first line must be the header email,reason,note");
    const empty = await upload("");
    expect(empty.status).toBe(400);
    expect((await counts())).toEqual(before);
  });

  it("exports every entry with an address, never an erased one and never a hash, and records the download", async () => {
    const erasedHash = addressHash("erased.person@example.com");
    const response = await post("/admin/suppressions.csv", {}, admin, "203.0.113.73");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="suppressions-\d{4}-\d{2}-\d{2}\.csv"$/);
    const body = await response.text();
    const [header, ...rows] = parse(body) as string[][];
    expect(header).toEqual(["email", "reason", "note", "added_at"]);
    const expected = await appDb.db.suppression.findMany({ where: { reason: { not: "ERASED" }, email: { not: null } }, orderBy: { id: "desc" }, select: { email: true, reason: true } });
    expect(rows.map((r) => [r[0], r[1]])).toEqual(expected.map((e) => [e.email, e.reason.toLowerCase()]));
    expect(rows.some((r) => r[1] === "erased")).toBe(false);
    for (const { emailHash } of await appDb.db.suppression.findMany({ select: { emailHash: true } })) expect(body).not.toContain(emailHash);
    expect(body).not.toContain(erasedHash);
    expect(rows.find((r) => r[0] === "import-d@example.org")![2]).toBe("said: stop, please");
    expect(body).toContain('"said: stop, please"');
    const audit = (await appDb.db.auditEvent.findFirst({ where: { action: "suppression.export" }, orderBy: { id: "desc" } }))!;
    expect(audit).toMatchObject({ actorUserId: adminId, ip: "203.0.113.73" });
    expect(JSON.parse(audit.detail as string)).toEqual({ rows: rows.length, reason: "all" });

    const onlyBounces = parse(await (await post("/admin/suppressions.csv", { reason: "HARD_BOUNCE" })).text()) as string[][];
    expect(onlyBounces.slice(1).every((r) => r[1] === "hard_bounce")).toBe(true);
    expect(onlyBounces.length - 1).toBe(await appDb.db.suppression.count({ where: { reason: "HARD_BOUNCE", email: { not: null } } }));
    const erasedAsked = await post("/admin/suppressions.csv", { reason: "ERASED" });
    expect(erasedAsked.status).toBe(400);
    expect(await erasedAsked.text()).toContain("erased entries are never exported");

    // The file goes back in as it is, and changes nothing.
    const before = (await counts());
    const reimport = await upload(body, "export.csv");
    const n = rows.length.toLocaleString("en-GB");
    expect(plain(await reimport.text())).toContain(`${n} lines read: 0 added, ${n} already suppressed, 0 erased, 0 bad`);
    expect((await counts())).toEqual({ ...before, audits: before.audits + 1 });
  });
});
