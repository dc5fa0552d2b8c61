import { describe, expect, it, beforeAll } from "vitest";
import { DEMO_GROUP } from "../../prisma/demo-data.ts";
import { nextIp } from "../helpers/accounts-http.ts";
import { emailedMessages } from "../helpers/outbox.ts";
import { text } from "../helpers/page-text.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// /admin/group over real HTTP against the production build, as a browser without JavaScript
// posts it (ADR 044): admins only, a sentence per bad field with a 400, the change audited,
// and account mail and page headers following it at once.

const { app, appDb, http } = useRunningApp();
let admin: string;
let marketer: string;
let subscriber: string;
const ADMIN_IP = "198.51.100.44";

beforeAll(async () => {
  [admin, marketer, subscriber] = await Promise.all([DEMO.admin, DEMO.taxMarketer, DEMO.subscriber].map(http.signInAs));
});

const goodForm = { name: "Acme Holdings", fromEmail: "Accounts@Acme.example.com", legalName: "Acme Holdings plc", postalAddress: "7 Anvil Road\r\nRoadrunner City, AC1 2ME" };
const lastAuditId = async () => (await appDb.db.auditEvent.aggregate({ _max: { id: true } }))._max.id ?? 0;

describe("/admin/group", () => {
  it("is for admins only: a marketer and a subscriber get 404, and nothing changes", async () => {
    const before = await appDb.db.groupIdentity.findUnique({ where: { id: 1 } });
    for (const cookie of [marketer, subscriber]) {
      expect((await http.get("/admin/group", { cookie })).status).toBe(404);
      expect((await http.post("/admin/group", goodForm, { cookie })).status).toBe(404);
    }
    const signedOut = await http.get("/admin/group");
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get("location")).toMatch(/^\/login/);
    expect(await appDb.db.groupIdentity.findUnique({ where: { id: 1 } })).toEqual(before);
  });

  it("shows an admin the demo's identity, linked from the admin navigation", async () => {
    const page = await text(await http.get("/admin/group", { cookie: admin }));
    expect(page).toContain("Group identity");
    expect(page).toContain(DEMO_GROUP.legalName);
    const units = await (await http.get("/admin/units", { cookie: admin })).text();
    expect(units).toContain('href="/admin/group"');
  });

  it("names each bad field with a 400 and keeps what was there", async () => {
    const before = await lastAuditId();
    const response = await http.post("/admin/group", { name: "", fromEmail: "not an address", legalName: "", postalAddress: "  " }, { cookie: admin, ip: ADMIN_IP });
    expect(response.status).toBe(400);
    const page = await text(response);
    expect(page).toContain("4 things to fix");
    expect(page).toContain("Enter the group's name");
    expect(page).toContain("Enter an email address such as accounts@example.com.");
    expect(page).toContain("every email must name the company that sends it");
    expect(page).toContain("Enter a postal address");
    expect(await appDb.db.groupIdentity.findUniqueOrThrow({ where: { id: 1 } })).toMatchObject(DEMO_GROUP);
    expect(await lastAuditId()).toBe(before);
  });

  it("saves a good form with its audit entry; page headers and account mail follow at once", async () => {
    const before = await lastAuditId();
    const saved = await http.post("/admin/group", goodForm, { cookie: admin, ip: ADMIN_IP });
    expect(saved.status).toBe(302);
    expect(saved.headers.get("location")).toBe("/admin/group?notice=saved");
    expect(await appDb.db.groupIdentity.findUniqueOrThrow({ where: { id: 1 } })).toMatchObject({
      name: "Acme Holdings",
      fromEmail: "accounts@acme.example.com",
      legalName: "Acme Holdings plc",
      postalAddress: "7 Anvil Road\nRoadrunner City, AC1 2ME",
    });
    const audit = await appDb.db.auditEvent.findMany({ where: { id: { gt: before } }, select: { action: true, target: true, detail: true, actorEmail: true, ip: true } });
    expect(audit).toEqual([{ action: "group.update", target: "group", detail: JSON.stringify({ changed: ["name", "fromEmail", "legalName", "postalAddress"] }), actorEmail: DEMO.admin.email, ip: ADMIN_IP }]);

    // One header name on the public pages.
    const login = await (await http.get("/login")).text();
    expect(login).toMatch(/class="brand-name"[^>]*>Acme Holdings</);

    // The next account message comes from the new identity.
    const email = DEMO.subscriber.email;
    expect((await http.post("/login", { intent: "link", email }, { ip: nextIp() })).status).toBeLessThan(400);
    await expect
      .poll(async () => (await emailedMessages(app.outboxDir, email)).filter((m) => m.from?.address === "accounts@acme.example.com").length, { timeout: 10_000 })
      .toBe(1);
    const message = (await emailedMessages(app.outboxDir, email)).find((m) => m.from?.address === "accounts@acme.example.com")!;
    expect(message.from?.name).toBe("Acme Holdings");
    expect(message.subject).toBe("Your sign-in link for Acme Holdings");
    expect(message.text).toContain("Acme Holdings plc");
    expect(message.text).toContain("Roadrunner City");
  });

  it("on a fresh install, tells admins account mail cannot go out, and sign-up says so instead of \"check your inbox\"", async () => {
    await appDb.db.groupIdentity.deleteMany();
    const page = await text(await http.get("/admin/group", { cookie: admin }));
    expect(page).toContain("Account mail cannot be sent yet");
    const signUp = await http.post("/signup", { email: "newcomer@example.org", name: "New", password: "violet-canyon-harbour-5531" });
    expect(signUp.status).toBe(503);
    expect(await text(signUp)).toContain("We cannot send email yet");
    expect(await appDb.db.transactionalMessage.count({ where: { toEmail: "newcomer@example.org" } })).toBe(0);
    // Restored, the page saves it anew as a creation.
    const before = await lastAuditId();
    expect((await http.post("/admin/group", goodForm, { cookie: admin, ip: ADMIN_IP })).status).toBe(302);
    expect((await appDb.db.auditEvent.findFirstOrThrow({ where: { id: { gt: before } } })).action).toBe("group.create");
  });
});
