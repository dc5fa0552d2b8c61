import { beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { createMailingUnit, createSubscriber, latestLinkTo, messagesTo, requestWithCookie, STRONG_PASSWORD, tokenOf } from "../../../tests/helpers/accounts.ts";
import { LOCKOUT } from "./lockout.server.ts";
import { readSession } from "./sessions.server.ts";
import { checkSignInLink, requestSignInLink, SIGN_IN_IP_LIMIT, signInWithLink, signInWithPassword } from "./sign-in.server.ts";

const MINUTE = 60_000;
const nobody = { ip: null, userAgent: "vitest" };
const start = new Date("2026-11-22T10:00:00Z");
const at = (minutes: number) => new Date(start.getTime() + minutes * MINUTE);
const request = () => new Request("http://localhost/login");

let user: Awaited<ReturnType<typeof createSubscriber>>;

beforeEach(async () => {
  await createMailingUnit();
  user = await createSubscriber();
});

async function failFiveTimes(email: string, minute = 0) {
  const outcomes = [];
  for (let i = 0; i < LOCKOUT.maxFailures; i++) {
    outcomes.push((await signInWithPassword({ email, password: `wrong-guess-${i}` }, request(), nobody, at(minute + i))).outcome);
  }
  return outcomes;
}

describe("signing in with a password", () => {
  it("signs in, records the moment, and opens a session the cookie leads to", async () => {
    const result = await signInWithPassword({ email: user.email.toUpperCase(), password: STRONG_PASSWORD }, request(), { ip: "203.0.113.5", userAgent: "Firefox" }, start);
    expect(result.outcome).toBe("signed-in");
    if (result.outcome !== "signed-in") return;
    const session = await readSession(requestWithCookie(result.setCookie), at(1));
    expect(session).toMatchObject({ userId: user.id, contactId: null });
    const row = await db.session.findUniqueOrThrow({ where: { id: session!.id } });
    expect(row).toMatchObject({ ip: "203.0.113.5", userAgent: "Firefox" });
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).lastSignInAt).toEqual(start);
  });

  it("says only 'wrong credentials' for a wrong password and for an unknown address", async () => {
    const wrong = await signInWithPassword({ email: user.email, password: "not-the-password" }, request(), nobody, start);
    const unknown = await signInWithPassword({ email: "nobody@example.org", password: STRONG_PASSWORD }, request(), nobody, start);
    expect(wrong).toEqual({ outcome: "wrong-credentials" });
    expect(unknown).toEqual({ outcome: "wrong-credentials" });
  });
});

describe("lockout", () => {
  it("locks after 5 failures for 15 minutes, refuses even the right password meanwhile, and warns the holder once", async () => {
    expect(await failFiveTimes(user.email)).toEqual(["wrong-credentials", "wrong-credentials", "wrong-credentials", "wrong-credentials", "locked"]);
    const during = await signInWithPassword({ email: user.email, password: STRONG_PASSWORD }, request(), nobody, at(10));
    expect(during).toEqual({ outcome: "locked", until: at(4 + 15) });

    const alerts = (await messagesTo(user.email)).filter((m) => m.template === "account-security-alert");
    expect(alerts).toHaveLength(1);
    expect(alerts[0].category.slug).toBe("account-alert");
    expect(JSON.parse(alerts[0].data).event).toMatch(/locked for 15 minutes after 5 failed sign-in attempts/);
  });

  it("expires: after the 15 minutes the right password signs in (the clock is injected, nobody waits)", async () => {
    await failFiveTimes(user.email);
    expect((await signInWithPassword({ email: user.email, password: STRONG_PASSWORD }, request(), nobody, at(4 + 15 - 0.1))).outcome).toBe("locked");
    expect((await signInWithPassword({ email: user.email, password: STRONG_PASSWORD }, request(), nobody, at(4 + 15))).outcome).toBe("signed-in");
  });

  it("attempts during a lock do not extend it, and the count starts again after it", async () => {
    await failFiveTimes(user.email);
    for (let minute = 5; minute < 19; minute += 3) await signInWithPassword({ email: user.email, password: "still-wrong" }, request(), nobody, at(minute));
    const after = await signInWithPassword({ email: user.email, password: "wrong-again" }, request(), nobody, at(20));
    expect(after).toEqual({ outcome: "wrong-credentials" });
  });

  it("counts only failures close together: one a quarter of an hour after the last starts a new count", async () => {
    for (let i = 0; i < 4; i++) await signInWithPassword({ email: user.email, password: "nope-nope-nope" }, request(), nobody, at(i * 15));
    expect((await signInWithPassword({ email: user.email, password: STRONG_PASSWORD }, request(), nobody, at(61))).outcome).toBe("signed-in");
  });

  it("a successful sign-in resets the count", async () => {
    for (let i = 0; i < 4; i++) await signInWithPassword({ email: user.email, password: "nope-nope-nope" }, request(), nobody, at(i));
    await signInWithPassword({ email: user.email, password: STRONG_PASSWORD }, request(), nobody, at(5));
    for (let i = 0; i < 4; i++) await signInWithPassword({ email: user.email, password: "nope-nope-nope" }, request(), nobody, at(6 + i));
    expect((await signInWithPassword({ email: user.email, password: STRONG_PASSWORD }, request(), nobody, at(11))).outcome).toBe("signed-in");
  });

  it("locks an unknown address exactly like a known one, and mails nobody", async () => {
    const known = await failFiveTimes(user.email);
    const unknown = await failFiveTimes("no-account-here@example.org");
    expect(unknown).toEqual(known);
    expect(await signInWithPassword({ email: "no-account-here@example.org", password: "x" }, request(), nobody, at(10))).toEqual({ outcome: "locked", until: at(19) });
    expect(await messagesTo("no-account-here@example.org")).toEqual([]);
  });

  it("limits attempts per IP address whatever the addresses", async () => {
    const ip = { ip: "198.51.100.77", userAgent: null };
    const outcomes = [];
    for (let i = 0; i <= SIGN_IN_IP_LIMIT.attempts; i++) {
      outcomes.push((await signInWithPassword({ email: `guess${i}@example.org`, password: "x" }, request(), ip, at(0))).outcome);
    }
    expect(outcomes.slice(0, SIGN_IN_IP_LIMIT.attempts).every((o) => o === "wrong-credentials")).toBe(true);
    expect(outcomes.at(-1)).toBe("throttled");
  });

  it("counts only failed sign-ins against an IP address: a whole office signing in is never locked out", async () => {
    const office = { ip: "198.51.100.78", userAgent: null };
    for (let i = 0; i < SIGN_IN_IP_LIMIT.attempts + 5; i++) {
      expect((await signInWithPassword({ email: user.email, password: STRONG_PASSWORD }, request(), office, at(0))).outcome).toBe("signed-in");
    }
    // The office still has its whole allowance of failures.
    const outcomes = [];
    for (let i = 0; i <= SIGN_IN_IP_LIMIT.attempts; i++) {
      outcomes.push((await signInWithPassword({ email: `typo${i}@example.org`, password: "x" }, request(), office, at(1))).outcome);
    }
    expect(outcomes.slice(0, SIGN_IN_IP_LIMIT.attempts).every((o) => o === "wrong-credentials")).toBe(true);
    expect(outcomes.at(-1)).toBe("throttled");
  });
});

describe("sign-in links", () => {
  it("mails a link only to a confirmed account; it works once, within 15 minutes, and a look at it uses nothing", async () => {
    expect(await requestSignInLink(user.email, nobody, start)).toEqual({ outcome: "requested" });
    expect(await requestSignInLink("nobody@example.org", nobody, start)).toEqual({ outcome: "requested" });
    expect(await messagesTo("nobody@example.org")).toEqual([]);
    const [message] = await messagesTo(user.email);
    expect(message).toMatchObject({ template: "sign-in-link", category: { slug: "sign-in-link" } });
    expect(JSON.parse(message.data).expiresInMinutes).toBe(15);
    const token = tokenOf(await latestLinkTo(user.email, "sign-in-link"));

    expect(await checkSignInLink(token, at(1))).toEqual({ ok: true });
    expect(await checkSignInLink(token, at(1))).toEqual({ ok: true });
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);

    const signedIn = await signInWithLink(token, request(), nobody, at(2));
    expect(signedIn.outcome).toBe("signed-in");
    expect(await signInWithLink(token, request(), nobody, at(3))).toEqual({ outcome: "bad-link", reason: "used" });
    expect(await checkSignInLink(token, at(3))).toEqual({ ok: false, reason: "used" });
  });

  it("expires after 15 minutes", async () => {
    await requestSignInLink(user.email, nobody, start);
    const token = tokenOf(await latestLinkTo(user.email, "sign-in-link"));
    expect(await signInWithLink(token, request(), nobody, at(15))).toEqual({ outcome: "bad-link", reason: "expired" });
  });

  it("a newer link replaces an older one", async () => {
    await requestSignInLink(user.email, nobody, start);
    const first = tokenOf(await latestLinkTo(user.email, "sign-in-link"));
    await requestSignInLink(user.email, nobody, at(1));
    const second = tokenOf(await latestLinkTo(user.email, "sign-in-link"));
    expect(await checkSignInLink(first, at(2))).toEqual({ ok: false, reason: "unknown" });
    expect((await signInWithLink(second, request(), nobody, at(2))).outcome).toBe("signed-in");
  });

  it("works while the password is locked: the lock is against guessing, the link proves the mailbox", async () => {
    await failFiveTimes(user.email);
    await requestSignInLink(user.email, nobody, at(5));
    const token = tokenOf(await latestLinkTo(user.email, "sign-in-link"));
    expect((await signInWithLink(token, request(), nobody, at(6))).outcome).toBe("signed-in");
  });

  it("stores only a hash of the token", async () => {
    await requestSignInLink(user.email, nobody, start);
    const token = tokenOf(await latestLinkTo(user.email, "sign-in-link"));
    const rows = await db.oneTimeLink.findMany({ where: { userId: user.id } });
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it("is refused for a malformed token without asking the database", async () => {
    expect(await checkSignInLink("not-a-token")).toEqual({ ok: false, reason: "unknown" });
  });
});
