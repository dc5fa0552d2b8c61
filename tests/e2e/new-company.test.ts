import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import type { Page } from "playwright-core";
import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import { openAppDatabase } from "../helpers/app-database.ts";
import { emailedLink } from "../helpers/outbox.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// Issue 7's "done when": a company starts the product on an empty database, creates its first
// admin with the CLI, and does everything else through the pages, in Chromium: a unit with a
// topic and a service category, a key rotation, a marketer invited to the unit, a contact
// import, and a campaign that reaches the imported people.

const { app, browser } = useRunningApp({ env: { SKIP_DEMO_SEED: "1" }, browser: true });

async function newPage(): Promise<Page> {
  return (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
}

/** Opens an invitation link, chooses a password, and lands signed in. */
async function acceptInvitation(page: Page, link: string, password: string) {
  await page.goto(`${app.url}${new URL(link).pathname}`);
  await page.getByLabel("Choose a password").fill(password);
  await page.getByRole("button", { name: "Save password and sign in" }).click();
  await page.waitForURL(`${app.url}/campaigns`);
}

describe("a new company, from an empty database", { timeout: 180_000 }, () => {
  it("sets itself up through the pages after the CLI creates the first admin, and sends a campaign", async () => {
    const db = openAppDatabase(app);
    try {
      expect(await db.db.businessUnit.count()).toBe(0);
      expect(await db.db.user.count()).toBe(0);
    } finally {
      await db.close();
    }

    // 1. The first admin, from a terminal: the link is printed (there is no group identity to mail it as yet).
    const created = execFileSync(path.resolve("node_modules/.bin/tsx"), ["app/cli/main.ts", "users", "create-admin", "--email", "founder@acme.example", "--name", "Fran Founder"], {
      env: { ...process.env, DATABASE_URL: app.databaseUrl, MAIL_TRANSPORT: "outbox", OUTBOX_DIR: app.outboxDir },
      encoding: "utf8",
    });
    const inviteLink = /https?:\/\/\S+\/invite\/\S+/.exec(created)?.[0];
    expect(inviteLink, created).toBeTruthy();
    const admin = await newPage();
    await acceptInvitation(admin, inviteLink!, "quarry-lantern-meadow-4821");

    // 2. A unit that can send: every sender fact, then a topic and a service category.
    await admin.goto(`${app.url}/admin/units/new`);
    await admin.getByLabel("Slug").fill("acme-garden");
    await admin.getByLabel("Display name").fill("Acme Garden");
    await admin.getByLabel("Legal name").fill("Acme Garden Supplies Ltd");
    await admin.getByLabel("Postal address").fill("4 Potting Shed Row\nGreenfield, EX3 1AG");
    await admin.getByLabel("Contact email").fill("help@garden.example.com");
    await admin.getByLabel("From name").fill("Acme Garden");
    await admin.getByLabel("Sending domain").fill("garden.example.com");
    await admin.locator("#field-fromEmail").fill("news@garden.example.com");
    await admin.getByRole("button", { name: "Create unit" }).click();
    await admin.getByText("The unit is created.").waitFor();

    await admin.getByRole("link", { name: "Add a topic" }).click();
    await admin.getByLabel("Slug").fill("seed-tips");
    await admin.getByLabel("Name").fill("Seed tips");
    await admin.getByLabel("Description").fill("What to sow each month.");
    await admin.getByRole("button", { name: "Create topic" }).click();
    await admin.waitForURL(/\/admin\/units\/acme-garden\?notice=topic-created/);
    await expect.poll(() => admin.locator(".unit-summary").textContent()).toContain("ready to send");

    await admin.getByRole("link", { name: "Add a category" }).click();
    await admin.getByLabel("Slug").fill("order-updates");
    await admin.getByLabel("Name").fill("Order updates");
    await admin.getByLabel("Reason").fill("We tell you when your order ships.");
    await admin.getByRole("radio").first().check();
    await admin.getByRole("button", { name: "Create category" }).click();
    await admin.waitForURL(/\/admin\/units\/acme-garden\?notice=category-created/);
    await admin.getByText("Order updates").first().waitFor();

    // 3. Keys: a rotation (the start-up made the first key).
    await admin.goto(`${app.url}/admin/keys?confirm=rotate`);
    await admin.getByRole("button", { name: "Create a new signing key" }).click();
    // The confirmation that follows the POST (the confirm panel's own wording differs).
    await admin.getByText(/^New key \S+ signs new links from now on/).waitFor();
    const keys = openAppDatabase(app);
    try {
      expect(await keys.db.signingKey.count({ where: { retiredAt: null } })).toBe(2);
    } finally {
      await keys.close();
    }

    // 4. The group's identity, which account mail (this invitation too) is sent as (ADR 044).
    await admin.goto(`${app.url}/admin/group`);
    await admin.getByText("Account mail cannot be sent yet.").waitFor();
    await admin.getByLabel("Group name").fill("Acme Group");
    await admin.getByLabel("From address").fill("accounts@acme.example");
    await admin.getByLabel("Legal name").fill("Acme Group Ltd");
    await admin.getByLabel("Postal address").fill("4 Potting Shed Row\nGreenfield, EX3 1AG");
    await admin.getByRole("button", { name: "Save group identity" }).click();
    await admin.getByText("Saved. Account mail is now sent as Acme Group.").waitFor();

    // 5. People: a marketer for the unit, invited by email now that account mail can be sent.
    await admin.goto(`${app.url}/admin/people/invite`);
    await admin.getByLabel("Email address").fill("riley@acme.example");
    await admin.getByLabel("Name (optional)").fill("Riley Marketer");
    await admin.getByRole("radio", { name: /^Marketer/ }).check();
    await admin.getByRole("checkbox", { name: "Acme Garden" }).check();
    await admin.getByRole("button", { name: "Send invitation" }).click();
    await admin.getByRole("status").filter({ hasText: "Invitation sent." }).waitFor();
    const marketer = await newPage();
    await acceptInvitation(marketer, (await emailedLink(app.outboxDir, "riley@acme.example", "staff-invite"))!, "velvet-compass-harvest-2264");

    // 6. The marketer imports the unit's subscribers.
    await marketer.goto(`${app.url}/contacts/import`);
    await marketer.getByLabel("Unit").selectOption({ label: "Acme Garden" });
    const csv = [
      "email,name,topic,channel,basis,consented_at,source",
      "ada@garden-fans.example,Ada,seed-tips,email,express,2026-03-01T10:00:00Z,spring fair",
      "bo@garden-fans.example,Bo,seed-tips,email,soft_opt_in,2026-05-12T09:30:00Z,checkout",
      "cy@garden-fans.example,Cy,seed-tips,postal,express,2026-05-12T09:30:00Z,checkout",
    ].join("\n");
    await marketer.getByLabel("CSV file").setInputFiles({ name: "subscribers.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await marketer.getByRole("button", { name: "Import" }).click();
    await marketer.getByText("Imported subscribers.csv into Acme Garden").waitFor();

    // 7. …and sends a campaign to them.
    await marketer.goto(`${app.url}/campaigns/new`);
    await marketer.getByLabel("Topic").selectOption({ label: "Seed tips" });
    await marketer.getByLabel("Subject").fill("What to sow in December");
    await marketer.getByLabel("Body (Markdown)").fill("## Garlic time\n\nPlant **garlic** now for a summer harvest.");
    await marketer.getByRole("button", { name: "Save draft" }).click();
    await marketer.waitForURL(/\/campaigns\/\d+$/);
    await marketer.getByRole("button", { name: "Send now…" }).click();
    // The confirmation names the audience: the two who chose email, not the one who chose post.
    await marketer.getByRole("button", { name: "Send to 2 people now" }).click();
    await marketer.getByRole("heading", { name: "Results" }).waitFor({ timeout: 30_000 });

    const received: string[] = [];
    for (const file of fs.readdirSync(app.outboxDir).filter((f) => f.endsWith(".eml"))) {
      const message = await PostalMime.parse(fs.readFileSync(path.join(app.outboxDir, file)));
      if (message.subject === "What to sow in December") {
        received.push(message.to![0].address!);
        expect(message.text).toContain("Acme Garden Supplies Ltd");
        expect(message.headers.find((h) => h.key === "list-unsubscribe-post")?.value).toBe("List-Unsubscribe=One-Click");
      }
    }
    // The postal-only row does not make an email recipient.
    expect(received.sort()).toEqual(["ada@garden-fans.example", "bo@garden-fans.example"]);

    // Every admin step is in the audit log, under the admin's name.
    const audit = openAppDatabase(app);
    try {
      const actions = (await audit.db.auditEvent.findMany({ where: { actorEmail: "founder@acme.example" }, orderBy: { id: "asc" }, select: { action: true } })).map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(["unit.create", "topic.create", "category.create", "key.rotate", "user.invite"]));
    } finally {
      await audit.close();
    }
  });
});
