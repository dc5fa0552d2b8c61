import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import PostalMime from "postal-mime";
import { beforeAll, describe, expect, it } from "vitest";
import { useRunningApp } from "../helpers/running-app.ts";

// POST /api/v1/transactional over real HTTP against the production build with the demo data.

const { app } = useRunningApp();
let taxKey: string;
let travelKey: string;

function cli(...args: string[]): string {
  return execFileSync(path.resolve("node_modules/.bin/tsx"), ["app/cli/main.ts", ...args], {
    env: { ...process.env, DATABASE_URL: app.databaseUrl },
    encoding: "utf8",
  });
}

const lastLine = (output: string) => output.trim().split("\n").at(-1)!;

function post(body: unknown, key: string | null = taxKey, contentType = "application/json") {
  return fetch(`${app.url}/api/v1/transactional`, {
    method: "POST",
    headers: { "content-type": contentType, ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const renewal = {
  unit: "example-tax",
  category: "renewal",
  to: "jane.doe@example.com",
  template: "renewal-notice",
  data: { productName: "Example Tax Premium", renewalDate: "2027-01-31", amount: "€49.00" },
  idempotencyKey: "renewal-jane-2027",
};

const outboxFiles = () => (fs.existsSync(app.outboxDir) ? fs.readdirSync(app.outboxDir).filter((f) => f.endsWith(".eml")) : []);

beforeAll(async () => {
  taxKey = lastLine(cli("api-keys", "create", "--unit", "example-tax", "--name", "billing system"));
  travelKey = lastLine(cli("api-keys", "create", "--unit", "example-travel"));
});

describe("POST /api/v1/transactional", () => {
  it("sends a renewal notice: 202 with the message id, and a repeated key returns the first id", async () => {
    const response = await post(renewal);
    expect(response.status).toBe(202);
    const first = await response.json();
    expect(first).toMatchObject({ id: expect.any(Number), status: "SENT", repeated: false });

    const again = await post(renewal);
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ id: first.id, repeated: true });

    const files = outboxFiles();
    expect(files).toHaveLength(1);
    const message = await PostalMime.parse(fs.readFileSync(path.join(app.outboxDir, files[0])));
    expect(message.subject).toContain("Example Tax Premium");
    expect(message.to?.[0].address).toBe("jane.doe@example.com");
    expect(message.headers.map((h) => h.key)).not.toContain("list-unsubscribe");
    expect(message.text).toContain("12 Ledger Lane");
  });

  it.each([
    ["an unknown category", { ...renewal, category: "gossip" }, 404, "category"],
    ["an unknown template", { ...renewal, template: "birthday-card" }, 404, "template"],
    ["an unknown unit", { ...renewal, unit: "example-bank" }, 404, "unit"],
    ["a malformed address", { ...renewal, to: "jane at example" }, 422, "to"],
    ["data the template does not accept", { ...renewal, data: { productName: "X", renewalDate: "next week" } }, 422, "data.renewalDate"],
    ["an unexpected data field", { ...renewal, data: { ...renewal.data, couponCode: "SAVE10" } }, 422, "data"],
    ["a missing idempotency key", { ...renewal, idempotencyKey: undefined }, 422, "idempotencyKey"],
    ["a unit the key does not belong to", { ...renewal, unit: "example-travel" }, 403, "unit"],
  ])("refuses %s with a JSON error naming the field, and sends nothing", async (_, body, status, field) => {
    const before = outboxFiles().length;
    const response = await post({ ...body, idempotencyKey: body.idempotencyKey && `${body.idempotencyKey}-${field}` });
    expect(response.status).toBe(status);
    const answer = await response.json();
    expect(answer.error.field).toMatch(new RegExp(`^${field.replace(".", "\\.")}`));
    expect(answer.error.message).toEqual(expect.any(String));
    expect(outboxFiles().length).toBe(before);
  });

  it("refuses a missing, unknown or revoked key with 401", async () => {
    expect((await post(renewal, null)).status).toBe(401);
    expect((await post(renewal, "pck_not-a-real-key")).status).toBe(401);
    const created = cli("api-keys", "create", "--unit", "example-tax");
    const id = /Created API key (\d+)/.exec(created)![1];
    expect((await post({ ...renewal, idempotencyKey: "before-revoke" }, lastLine(created))).status).toBe(202);
    cli("api-keys", "revoke", id);
    expect((await post({ ...renewal, idempotencyKey: "after-revoke" }, lastLine(created))).status).toBe(401);
  });

  it("refuses a body that is not JSON with 400", async () => {
    expect((await post("{not json", taxKey)).status).toBe(400);
    expect((await post("unit=example-tax", taxKey, "application/x-www-form-urlencoded")).status).toBe(400);
  });

  it("keys of different units never see each other's idempotency keys", async () => {
    const travel = { ...renewal, unit: "example-travel", category: "renewal", idempotencyKey: "shared-key" };
    const tax = { ...renewal, idempotencyKey: "shared-key" };
    const a = await (await post(tax, taxKey)).json();
    const b = await (await post(travel, travelKey)).json();
    expect(b.id).not.toBe(a.id);
    expect(b.repeated).toBe(false);
  });

  it("answers GET with 405", async () => {
    const response = await fetch(`${app.url}/api/v1/transactional`);
    expect(response.status).toBe(405);
    expect((await response.json()).error.field).toBe("method");
  });
});
