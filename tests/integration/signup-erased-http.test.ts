import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { isErasedAddress } from "~/domain/consent/contacts.server.ts";
import { addressHash } from "~/domain/consent/address-hash.server.ts";
import { createDb } from "~/utils/db.server.ts";
import { startApp } from "../helpers/app-server.ts";
import { addMember, httpClient, MEMBER_PASSWORD, messagesTo, sessionCookie } from "../helpers/accounts-http.ts";
import { emailedLink } from "../helpers/outbox.ts";
import { TEST_TMP } from "../helpers/paths.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// A person who erased their account signs up again at /signup, over real HTTP against the
// production build: the confirmation really arrives, and only their confirmation lifts the
// erasure. The page never says a mail was sent when none was.

const { app, appDb, http } = useRunningApp();

const plain = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

/** A member who deleted their account through the account page: their address is erased. */
async function erasedMember(): Promise<string> {
  const member = await addMember(appDb);
  const cookie = await http.signIn(member.email);
  expect((await http.post("/account", { intent: "delete", password: MEMBER_PASSWORD }, { cookie })).status).toBe(302);
  expect(await appDb.db.contact.count({ where: { email: member.email } })).toBe(0);
  return member.email;
}

async function erased(email: string): Promise<boolean> {
  const client = createDb(app.databaseUrl);
  try {
    return await isErasedAddress(email, client);
  } finally {
    await client.$disconnect();
  }
}

/** The confirmation link in the outbox, polled for: account mail goes out in the background. */
async function confirmationLink(email: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const link = await emailedLink(app.outboxDir, email, "sign-up-confirmation");
    if (link && new URL(link).pathname.startsWith("/signup/confirm/")) return link;
    if (Date.now() > deadline) throw new Error(`No sign-up confirmation reached ${email} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A permanent bounce on record for the address (found by its keyed hash). */
const hardBounced = (email: string) => appDb.db.suppression.create({ data: { emailHash: addressHash(email), email, reason: "HARD_BOUNCE", createdAt: new Date() } });

const signUp = (email: string) => http.post("/signup", { email, name: "Come Back", password: MEMBER_PASSWORD });

describe("an erased person can come back", () => {
  it("signs up with the erased address: a confirmation really arrives, and confirming creates the account and lifts the ERASED block, in the ledger", async () => {
    const email = await erasedMember();
    expect(await erased(email)).toBe(true);

    const answer = await signUp(email);
    expect(answer.status).toBe(200);
    expect(plain(await answer.text())).toContain(`We sent an email to ${email}`);
    const link = await confirmationLink(email);
    // Asking is not coming back: the block holds until the person confirms.
    expect(await erased(email)).toBe(true);

    expect((await http.get(http.pathOf(link))).status).toBe(200);
    const confirmed = await http.post(http.pathOf(link), { password: MEMBER_PASSWORD });
    expect(confirmed.status).toBe(302);
    expect(confirmed.headers.get("location")).toBe("/welcome");
    expect(sessionCookie(confirmed)).not.toBeNull();

    expect(await erased(email)).toBe(false);
    const user = await appDb.db.user.findUniqueOrThrow({ where: { email }, select: { id: true, contactId: true, emailVerifiedAt: true } });
    expect(user.emailVerifiedAt).not.toBeNull();
    expect(user.contactId).toBe((await appDb.db.contact.findUniqueOrThrow({ where: { email } })).id);
    const events = await appDb.db.consentEvent.findMany({
      where: { action: "UNSUPPRESS", actor: `user:${user.id}` },
      select: { action: true, source: true, actor: true, changed: true, detail: true },
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ source: "PREFERENCE_CENTER", changed: true });
    expect(JSON.parse(events[0].detail!)).toMatchObject({ reason: "ERASED" });
  });

  it("an import of the address while it is still erased (signed up, not confirmed) does not resubscribe it", async () => {
    const email = await erasedMember();
    expect((await signUp(email)).status).toBe(200);
    await confirmationLink(email);

    const file = path.join(TEST_TMP, `import-${crypto.randomUUID()}.csv`);
    fs.writeFileSync(file, `email,name,topic,channel,basis,consented_at,source\n${email},Come Back,offers,email,express,2026-01-01,fair\n`);
    const output = execFileSync(path.resolve("node_modules/.bin/tsx"), ["app/cli/main.ts", "contacts", "import", file, "--unit", "example-tax"], {
      env: { ...process.env, DATABASE_URL: app.databaseUrl },
      encoding: "utf8",
    });
    fs.rmSync(file, { force: true });
    expect(output).toMatch(/skipped:\s+1/);
    expect(output).toContain("address erased at the person's request");
    expect(await appDb.db.contact.count({ where: { email } })).toBe(0);
    expect(await erased(email)).toBe(true);
  });
});

describe("the sign-up page says a mail was sent only when one was", () => {
  it("an address whose mail bounced permanently: the page says it cannot send there, and nothing is sent or stored", async () => {
    const email = `bounced-${crypto.randomBytes(4).toString("hex")}@example.org`;
    await hardBounced(email);
    const answer = await signUp(email);
    expect(answer.status).toBe(400);
    const page = plain(await answer.text());
    expect(page).not.toContain("We sent");
    expect(page).toContain("bounced");
    // The answer is decided before anything starts: no account, no message, nothing in the background.
    expect(await appDb.db.user.count({ where: { email } })).toBe(0);
    expect(await messagesTo(appDb, email)).toEqual([]);
  });

  it("a password sign-in of an unconfirmed account whose address bounced does not claim a new link was sent", async () => {
    const member = await addMember(appDb, { verified: false });
    await hardBounced(member.email);
    const answer = await http.post("/login", { intent: "password", email: member.email, password: MEMBER_PASSWORD });
    expect(answer.status).toBe(403);
    const page = plain(await answer.text());
    expect(page).not.toMatch(/We have sent|We sent/);
    expect(page).toContain("bounced");
    expect(await messagesTo(appDb, member.email)).toEqual([]);
  });

  it("an address change to an address whose mail bounced does not claim a link was sent", async () => {
    const member = await addMember(appDb);
    const target = `bounced-${crypto.randomBytes(4).toString("hex")}@example.org`;
    await hardBounced(target);
    const cookie = await http.signIn(member.email);
    const answer = await http.post("/account", { intent: "email", newEmail: target, currentPassword: MEMBER_PASSWORD }, { cookie });
    expect(answer.status).toBe(400);
    const page = plain(await answer.text());
    expect(page).not.toContain("We sent a link");
    expect(page).toContain(`Mail to ${target} bounced permanently`);
    expect(await messagesTo(appDb, target)).toEqual([]);
    expect(await appDb.db.oneTimeLink.count({ where: { email: target } })).toBe(0);
  });

  it("with no group identity to send account mail as (an empty install), the page says no mail can go out (503)", async () => {
    const empty = await startApp({ env: { SKIP_DEMO_SEED: "1" } });
    try {
      const answer = await httpClient(empty).post("/signup", { email: "first@example.org", name: "First", password: MEMBER_PASSWORD });
      expect(answer.status).toBe(503);
      const page = plain(await answer.text());
      expect(page).not.toContain("We sent");
      expect(page).toContain("cannot send email");
    } finally {
      await empty.stop();
    }
  });
});
