import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import PostalMime from "postal-mime";
import { beforeAll, describe, expect, it } from "vitest";
import { GROUP_CATEGORIES } from "~/domain/transactional/group-categories.server.ts";
import { transactionalTemplates } from "~emails/transactional/index.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// What a unit's API key may send: its own categories only, links only to our site or the
// unit's own domains, and one idempotency key for one request. Real HTTP, production build.

const PUBLIC_URL = "https://prefs.example.com";
const { app, appDb } = useRunningApp({ env: { PUBLIC_URL } });
let taxKey: string;

function cli(...args: string[]): string {
  return execFileSync(path.resolve("node_modules/.bin/tsx"), ["app/cli/main.ts", ...args], {
    env: { ...process.env, DATABASE_URL: app.databaseUrl },
    encoding: "utf8",
  });
}

function post(body: unknown, key = taxKey) {
  return fetch(`${app.url}/api/v1/transactional`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const outboxFiles = () => (fs.existsSync(app.outboxDir) ? fs.readdirSync(app.outboxDir).filter((f) => f.endsWith(".eml")) : []);
let keys = 0;
const freshKey = (label: string) => `${label}-${++keys}`;

const renewal = (data: Record<string, unknown> = {}) => ({
  unit: "example-tax",
  category: "renewal",
  to: "jane.doe@example.com",
  template: "renewal-notice",
  data: { productName: "Example Tax Premium", renewalDate: "2027-01-31", ...data },
  idempotencyKey: freshKey("renewal"),
});

/** Data each group template accepts, with its link on our own site: only the category rule can refuse it. */
const GROUP_TEMPLATE_DATA: Record<string, Record<string, unknown>> = {
  "preference-link": { url: `${PUBLIC_URL}/p/abc` },
  "sign-in-link": { url: `${PUBLIC_URL}/login/link/abc`, expiresInMinutes: 60 },
  "sign-up-confirmation": { url: `${PUBLIC_URL}/signup/confirm/abc`, expiresInMinutes: 60 },
  "account-security-alert": { event: "A new sign-in", occurredAt: "2026-05-03T14:05:00Z" },
  "password-reset": { url: `${PUBLIC_URL}/reset-password/abc`, expiresInMinutes: 60 },
  "email-change-verification": { url: `${PUBLIC_URL}/account/confirm-email/abc`, newEmail: "new@example.com" },
  "staff-invite": { url: `${PUBLIC_URL}/invite/abc`, expiresInMinutes: 60, role: "admin" },
  "sending-paused": { unitName: "Example Tax", reason: "Complaints.", campaigns: ["Spring"], pausedAt: "2026-05-03T14:05:00Z", url: `${PUBLIC_URL}/admin/units/example-tax` },
};

const groupSends = GROUP_CATEGORIES.flatMap((category) =>
  Object.entries(transactionalTemplates)
    .filter(([, template]) => (template.categories as readonly string[]).includes(category.slug))
    .map(([name]) => [category.slug, name] as const),
);

beforeAll(async () => {
  taxKey = cli("api-keys", "create", "--unit", "example-tax").trim().split("\n").at(-1)!;
});

async function expectRefused(body: unknown, status: number, field: string) {
  const before = outboxFiles().length;
  const response = await post(body);
  const answer = await response.json();
  expect({ status: response.status, field: answer.error?.field }).toEqual({ status, field });
  expect(answer.error.message).toEqual(expect.any(String));
  expect(outboxFiles().length).toBe(before);
  return answer.error.message as string;
}

describe("the group's own mail is not the units'", () => {
  it("covers every group category with at least one template", () => {
    expect(new Set(groupSends.map(([category]) => category))).toEqual(new Set(GROUP_CATEGORIES.map((c) => c.slug)));
  });

  it.each(groupSends)("refuses category %s (template %s) with 422 naming the category", async (category, template) => {
    const message = await expectRefused(
      { unit: "example-tax", category, template, to: "victim@example.org", data: GROUP_TEMPLATE_DATA[template], idempotencyKey: freshKey(category) },
      422,
      "category",
    );
    expect(message).toContain(category);
  });

  it("refuses a group template even under a unit category that took the same slug", async () => {
    const unitId = (await appDb.db.businessUnit.findUniqueOrThrow({ where: { slug: "example-tax" } })).id;
    await appDb.db.exemptCategory.create({ data: { unitId, slug: "sign-in-link", name: "Look-alike", reason: "r", legalClass: "TRANSACTION", createdAt: new Date() } });
    await expectRefused(
      { unit: "example-tax", category: "sign-in-link", template: "sign-in-link", to: "victim@example.org", data: GROUP_TEMPLATE_DATA["sign-in-link"], idempotencyKey: freshKey("lookalike") },
      422,
      "category",
    );
  });
});

describe("links in data point only at our site or the unit's own domains", () => {
  it.each([
    ["a foreign link field", { manageUrl: "https://evil.example.net/pay" }, "data.manageUrl"],
    ["another unit's domain", { manageUrl: "https://travel.example.com/pay" }, "data.manageUrl"],
    ["a look-alike host ending in the unit's domain", { manageUrl: "https://tax.example.com.evil.example.net/pay" }, "data.manageUrl"],
    ["a look-alike host starting with our host", { manageUrl: "https://prefs.example.com.evil.example.net/" }, "data.manageUrl"],
    ["credentials before a foreign host", { manageUrl: "https://tax.example.com@evil.example.net/pay" }, "data.manageUrl"],
    ["a foreign link inside free text", { productName: "Renew at https://evil.example.net/pay today" }, "data.productName"],
    ["a www. address inside free text", { productName: "Renew at www.evil.example.net today" }, "data.productName"],
    ["a javascript: value", { productName: "javascript:alert(document.cookie)" }, "data.productName"],
    ["a data: value", { productName: "data:text/html;base64,PHNjcmlwdD4=" }, "data.productName"],
    ["an ftp link inside text", { amount: "€49.00 ftp://tax.example.com/x" }, "data.amount"],
  ])("refuses %s with 422 naming the field", async (_, data, field) => {
    await expectRefused(renewal(data), 422, field);
  });

  it.each([
    ["our own site (PUBLIC_URL's host)", `${PUBLIC_URL}/preferences`],
    ["the unit's sending domain", "https://tax.example.com/account/subscription"],
    ["a host under the unit's sending domain", "https://billing.tax.example.com/renew"],
    ["the unit's contact URL", "https://tax.example.com/contact"],
  ])("accepts a link to %s and the message carries it", async (_, url) => {
    const before = new Set(outboxFiles());
    const response = await post(renewal({ manageUrl: url, productName: `Premium, see ${url}` }));
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ status: "SENT", repeated: false });
    const added = outboxFiles().filter((f) => !before.has(f));
    expect(added).toHaveLength(1);
    const message = await PostalMime.parse(fs.readFileSync(path.join(app.outboxDir, added[0])));
    expect(message.html).toContain(`href="${url}"`);
  });
});

describe("an idempotency key names one request", () => {
  it("the same body again gets the first answer; a different body gets 409 and sends nothing", async () => {
    const first = renewal({ amount: "€49.00" });
    const response = await post(first);
    expect(response.status).toBe(202);
    const answer = await response.json();
    expect(answer).toMatchObject({ id: expect.any(Number), status: "SENT", repeated: false });

    // The same request, its keys in another order: the same request.
    const reordered = { idempotencyKey: first.idempotencyKey, data: { amount: "€49.00", renewalDate: "2027-01-31", productName: "Example Tax Premium" }, template: first.template, to: first.to, category: first.category, unit: first.unit };
    const again = await post(reordered);
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ ...answer, repeated: true });

    const messages = await expectRefused({ ...first, to: "someone.else@example.org" }, 409, "idempotencyKey");
    expect(messages).toMatch(/already used.*different/i);
    await expectRefused({ ...first, data: { ...first.data, amount: "€99.00" } }, 409, "idempotencyKey");
    expect(await appDb.db.transactionalMessage.count({ where: { idempotencyKey: { endsWith: `:${first.idempotencyKey}` } } })).toBe(1);
  });
});

describe("text that cannot be stored", () => {
  // PostgreSQL's text and jsonb cannot hold U+0000: the INSERT failed with a 500 there, while
  // SQLite stored it. Refused on both, before anything is written, naming the field.
  it.each([
    ["in data", renewal({ productName: "Premium\u0000" }), "data.productName"],
    ["in a nested value of data", renewal({ lines: [{ label: "ok" }, { label: "x\u0000" }] }), "data.lines.1.label"],
    ["in a key of data", renewal({ "bad\u0000key": "x" }), "data"],
    ["in the idempotency key", { ...renewal(), idempotencyKey: "r\u0000" }, "idempotencyKey"],
  ])("refuses a NUL character %s with 422 naming the field", async (_, body, field) => {
    const message = await expectRefused(body, 422, field);
    expect(message).toContain("NUL");
  });
});
