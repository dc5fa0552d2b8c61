import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { nextIp } from "../helpers/accounts-http.ts";
import { rawRequest } from "../helpers/raw-http.ts";
import { DEMO } from "../helpers/demo-logins.ts";
import { useRunningApp } from "../helpers/running-app.ts";
import { SNS_TOPIC_ARN, sendGridSigner } from "../helpers/provider-signers.ts";

// Whatever a client sends, to whichever route, the answer is never a 5xx: odd methods, bodies
// that are not forms, redirect targets beyond Latin-1, and signed tokens with odd claims.

// Both email services set up, so odd posts to their events address reach the signature checks.
const { app, appDb, http } = useRunningApp({ env: { SES_SNS_TOPIC_ARNS: SNS_TOPIC_ARN, SENDGRID_WEBHOOK_PUBLIC_KEY: sendGridSigner().publicKey } });
const ADMIN = DEMO.admin;

/** Every route of app/routes as a URL path (Remix flat routes), its params filled by `sample`. */
function routePaths(sample: (param: string, parent: string) => string[]): string[] {
  const files = fs.readdirSync(path.resolve("app/routes")).filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f));
  return files.flatMap((file) => {
    const segments = file.replace(/\.tsx?$/, "").match(/(\[[^\]]*\]|[^.])+/g)!;
    let paths = [""];
    for (const raw of segments) {
      const segment = raw.replace(/_$/, "").replace(/\[([^\]]*)\]/g, "$1");
      if (segment === "_index" || segment.startsWith("_")) continue;
      paths = paths.flatMap((p) => (segment.startsWith("$") ? sample(segment.slice(1), p) : [segment]).map((v) => `${p}/${v}`));
    }
    return paths.map((p) => p || "/");
  });
}

/** A link token signed with the app's own active key, carrying exactly these claims. */
async function signedToken(claims: Record<string, unknown>): Promise<string> {
  const key = await appDb.db.signingKey.findFirstOrThrow({ where: { retiredAt: null }, orderBy: { id: "desc" }, select: { kid: true, secret: true } });
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const signed = `${part({ alg: "HS256", kid: key.kid })}.${part(claims)}`;
  return `${signed}.${crypto.createHmac("sha256", Buffer.from(key.secret, "base64url")).update(signed).digest("base64url")}`;
}

/** The first unit's slug, with the slug of one of its topics and of one of its exempt categories. */
async function firstUnit(): Promise<{ slug: string; topic: string; category: string }> {
  const unit = await appDb.db.businessUnit.findFirstOrThrow({
    orderBy: { id: "asc" },
    select: {
      slug: true,
      topics: { select: { slug: true }, orderBy: { slug: "asc" }, take: 1 },
      exemptCategories: { select: { slug: true }, orderBy: { slug: "asc" }, take: 1 },
    },
  });
  return { slug: unit.slug, topic: unit.topics[0].slug, category: unit.exemptCategories[0].slug };
}

async function oddTokens(): Promise<string[]> {
  const now = Math.floor(Date.now() / 1000);
  const base = { u: 1, ch: "e", sub: "1", iat: now, exp: now + 86_400, jti: "corpus" };
  const odd: Record<string, unknown>[] = [
    { ch: "toString" },
    { ch: "__proto__" },
    { ch: "constructor" },
    { sub: "1.5" },
    { sub: "0x1" },
    { sub: "1e3" },
    { sub: 1 },
    { sub: "-1" },
    { sub: "99999999999999999999" },
    { sub: "toString" },
    { u: "1" },
    { t: "toString" },
    { jti: 7 },
  ];
  const signed = await Promise.all(["unsubscribe", "preferences"].flatMap((aud) => [{ ...base, aud }, ...odd.map((claims) => ({ ...base, aud, ...claims }))]).map(signedToken));
  return signed.concat(["not-a-token", "a.b.c", "%E2%82%AC"]);
}

beforeAll(async () => {
  // A draft campaign and a test message of it, so /campaigns/<id> and /admin/outbox/<file> have something to show.
  const admin = await http.signIn(ADMIN.email, ADMIN.password);
  const topic = await appDb.db.topic.findFirstOrThrow({ orderBy: [{ unitId: "asc" }, { id: "asc" }], select: { id: true, unitId: true } });
  const created = await http.post("/campaigns/new", { unitId: String(topic.unitId), topicId: String(topic.id), subject: "Corpus", preheader: "Corpus", bodyMarkdown: "Corpus" }, { cookie: admin });
  expect(created.status).toBe(302);
  const campaign = created.headers.get("location")!;
  expect((await http.post(campaign, { intent: "test" }, { cookie: admin })).status).toBe(200);
});

type Probe = { method: string; path: string; headers?: Record<string, string>; body?: string; as: "anonymous" | "admin" };

function probesFor(routePath: string): Omit<Probe, "as">[] {
  const json = { "Content-Type": "application/json" };
  const multipart = { "Content-Type": "multipart/form-data; boundary=corpus" };
  const sameSite = { Origin: app.url };
  const odd = ["/\u20ac", "/\u{1F600}", "/\u0100?x=\u4e2d", "/caf\u00e9"].map((target) => `redirectTo=${encodeURIComponent(target)}`);
  return [
    { method: "GET", path: routePath },
    { method: "HEAD", path: routePath },
    ...odd.map((query) => ({ method: "GET", path: `${routePath}?${query}` })),
    { method: "POST", path: routePath, headers: { ...sameSite, ...json }, body: '{"email":"x@example.com"}' },
    { method: "POST", path: routePath, headers: json, body: "{not json" },
    { method: "POST", path: routePath, headers: { ...sameSite, ...multipart }, body: "--corpus\r\nContent-Disposition: form-data; name" },
    { method: "POST", path: routePath, headers: multipart, body: "garbage" },
    { method: "POST", path: routePath, headers: { ...sameSite, "Content-Type": "text/plain" }, body: "intent=save" },
    { method: "POST", path: routePath, headers: sameSite },
    // Names a form parser nests or lists (`a.b`, `a[0]`, a field sent twice), beside fields the pages use.
    {
      method: "POST",
      path: routePath,
      headers: { ...sameSite, "Content-Type": "application/x-www-form-urlencoded" },
      body: "intent=save&intent=choose&shown=x&shown=y%3Don&__proto__[intent]=save&constructor.prototype.x=1&a[0].b=1&event=1&event=x&email=a%40example.com&email=b%40example.com&password[]=x",
    },
    // RFC 8058 one-click, as a mailbox provider posts it: no Origin, no cookie needed.
    { method: "POST", path: routePath, headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" },
    { method: "POST", path: `${routePath}?${odd[0]}`, headers: { ...sameSite, "Content-Type": "application/x-www-form-urlencoded" }, body: `intent=password&${odd[0]}` },
    ...["TRACE", "PUT", "PATCH", "DELETE", "OPTIONS"].map((method) => ({ method, path: routePath, headers: sameSite })),
    ...["PUT", "PATCH", "DELETE"].map((method) => ({ method, path: routePath, headers: { ...sameSite, "Content-Type": "application/x-www-form-urlencoded" }, body: "intent=save" })),
  ];
}

describe("no 5xx for anything a client sends", () => {
  it("answers a corpus of odd requests to every route, signed in and not, without a server error", async () => {
    const campaignId = (await appDb.db.campaign.findFirstOrThrow({ orderBy: { id: "asc" }, select: { id: true } })).id;
    const outboxFile = fs.readdirSync(app.outboxDir).find((f) => f.endsWith(".eml"))!;
    const unit = await firstUnit();
    const tokens = await oddTokens();
    const samples: Record<string, string[]> = {
      // Link tokens go to /u and /p; the other token routes take one-time links kept in the database.
      token: ["unknown-one-time-link", tokens[0], "%E2%82%AC"],
      id: [String(campaignId), "0", "x", "99999999999999999999"],
      slug: [unit.slug, "no-such-unit"],
      topic: [unit.topic, "toString"],
      category: [unit.category, "__proto__"],
      file: [outboxFile, "..%2F..%2Fpackage.json", "toString"],
      provider: ["ses", "sendgrid", "toString", "__proto__"],
    };
    const paths = routePaths((param, parent) => {
      if (param === "token" && (parent === "/u" || parent === "/p")) return tokens;
      if (!samples[param]) throw new Error(`No sample values for the route parameter $${param}: add some to this test.`);
      return samples[param];
    });
    expect(paths.length).toBeGreaterThan(40);

    const failures: string[] = [];
    const answered = new Map<string, number>();
    let sent = 0;
    const signIn = () => http.signIn(ADMIN.email, ADMIN.password);
    corpus: for (const as of ["anonymous", "admin"] as const) {
      let cookie = as === "admin" ? await signIn() : null;
      for (const routePath of paths) {
        // Token routes get the full corpus for their first (valid) token, GET and POST for the others.
        const probes = tokens.slice(1).some((t) => routePath.endsWith(`/${t}`))
          ? probesFor(routePath).filter((p) => (p.method === "GET" && !p.path.includes("?")) || (p.method === "POST"))
          : probesFor(routePath);
        for (const probe of probes) {
          const headers = { "X-Forwarded-For": nextIp(), ...probe.headers, ...(cookie ? { Cookie: cookie } : {}) };
          sent++;
          try {
            const answer = await rawRequest(`${app.url}${probe.path}`, { method: probe.method, headers, body: probe.body });
            answered.set(`${as} ${probe.method} ${probe.path}`, answer.status);
            if (answer.status >= 500) failures.push(`${as} ${probe.method} ${probe.path} ${probe.headers?.["Content-Type"] ?? ""} → ${answer.status}`);
          } catch (error) {
            failures.push(`${as} ${probe.method} ${probe.path} ${probe.headers?.["Content-Type"] ?? ""} → ${(error as Error).message}`);
            // A refused connection means the server is gone: what follows would only repeat that.
            if ((error as NodeJS.ErrnoException).code === "ECONNREFUSED") break corpus;
          }
        }
        // The corpus signs out on /logout: the rest goes on with a new session.
        if (cookie && routePath === "/logout") cookie = await signIn();
      }
    }
    expect(sent).toBeGreaterThan(1000);
    // The admin half went through signed in: staff pages answered, not a redirect to /login.
    expect([answered.get("admin GET /admin/keys"), answered.get(`admin GET /campaigns/${campaignId}`), answered.get("anonymous GET /admin/keys")]).toEqual([200, 200, 302]);
    expect(failures).toEqual([]);
    expect((await rawRequest(`${app.url}/login`)).status).toBe(200);
  }, 600_000);
});

describe("the admin forms' own odd bodies", () => {
  it("answers a field sent twice, a value no control sends, a missing or unknown intent with a 400 that changes nothing", async () => {
    const cookie = await http.signIn(ADMIN.email, ADMIN.password);
    const unit = await firstUnit();
    const person = (await appDb.db.user.findUniqueOrThrow({ where: { email: "marketer.tax@example.com" }, select: { id: true } })).id;
    const kid = (await appDb.db.signingKey.findFirstOrThrow({ orderBy: { id: "asc" }, select: { kid: true } })).kid;
    const units = `/admin/units/${unit.slug}`;
    const bodies: [string, string][] = [
      ["/admin/units/new", "slug=twice-sent&slug=again"],
      [units, "intent=bogus"],
      [units, "intent=dkim-test"],
      [units, "intent=dns-check&intent=dns-check"],
      [`${units}/topics/new`, "slug=twice-sent&slug=again&name=Twice&offersEmail=on"],
      [`${units}/topics/new`, "slug=odd-box&name=Odd&offersEmail=yes"],
      [`${units}/topics/${unit.topic}`, "name=No+intent&offersEmail=on"],
      [`${units}/topics/${unit.topic}`, "intent=save&name=Twice&name=Again&offersEmail=on"],
      [`${units}/categories/new`, "slug=twice-sent&name=Twice&reason=Why.&legalClass=TRANSACTION&legalClass=EMPLOYMENT"],
      [`${units}/categories/${unit.category}`, "intent=rename"],
      [`/admin/people/${person}`, "intent=units&units=x"],
      [`/admin/people/${person}`, "intent=role&role=OWNER"],
      [`/admin/people/${person}`, "intent=role&role=ADMIN&role=MARKETER"],
      [`/admin/people/${person}`, ""],
      ["/admin/people/invite", "email=a%40example.com&email=b%40example.com&role=MARKETER"],
      ["/admin/people/invite", "email=new.one%40example.com&role=MARKETER&units=1.5"],
      ["/admin/suppressions", "intent=remove&id=abc"],
      ["/admin/suppressions", "intent=add&email=a%40example.com&email=b%40example.com&note=Twice"],
      ["/admin/suppressions", "intent=block"],
      ["/admin/keys", "intent=retire"],
      ["/admin/keys", `intent=retire&kid=${kid}&kid=${kid}`],
      ["/admin/group", "name=Twice&name=Again"],
      ["/admin/group", "fromEmail=a%40example.com&fromEmail=b%40example.com"],
    ];
    // Every row of the tables these forms write, in a fixed order.
    const tables = async () => {
      const db = appDb.db;
      const byId = { orderBy: { id: "asc" } } as const;
      return [
        await db.businessUnit.findMany(byId),
        await db.topic.findMany(byId),
        await db.exemptCategory.findMany(byId),
        await db.user.findMany(byId),
        await db.membership.findMany({ orderBy: [{ userId: "asc" }, { unitId: "asc" }] }),
        await db.suppression.findMany(byId),
        await db.signingKey.findMany(byId),
        await db.auditEvent.findMany(byId),
      ];
    };
    const before = await tables();
    for (const [page, body] of bodies) {
      const response = await http.post(page, new URLSearchParams(body), { cookie });
      expect(response.status, `POST ${page} ${body}`).toBe(400);
    }
    expect(await tables()).toEqual(before);
  });
});
