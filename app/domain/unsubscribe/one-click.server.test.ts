import { beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { applyConsentChange } from "~/domain/consent/changes.server.ts";
import type { LinkClaims } from "~/domain/tokens/link-tokens.server.ts";
import { createContact, createTopic, createUnit, unsubscribeLinkClaims } from "../../../tests/helpers/fixtures.ts";
import { isOneClickBody, isOneClickForm, optOutByOneClick } from "./one-click.server.ts";

// One function decides and writes an RFC 8058 one-click, for the fast path and the page alike.

const requester = { ip: "203.0.113.5", userAgent: "Mail/1" };

let unit: { id: number; displayName: string };
let topicUnit: { id: number; displayName: string };

/** A subscribed contact and the claims of the unsubscribe link emailed to them about a topic of `to`. */
async function linkFor(to: { id: number }): Promise<LinkClaims> {
  const topic = await createTopic(to.id);
  const contact = await createContact();
  await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" }, { source: "IMPORT" });
  return unsubscribeLinkClaims({ contactId: contact.id, unitId: to.id, topicId: topic.id, tokenId: `link-${contact.id}` });
}

const oneClickEvents = (contactId: number) =>
  db.consentEvent.findMany({ where: { contactId, source: "ONE_CLICK" }, select: { action: true, changed: true, tokenId: true }, orderBy: { id: "asc" } });
const subscriptionStatus = (claims: LinkClaims) =>
  db.subscription.findUniqueOrThrow({ where: { contactId_topicId_channel: { contactId: claims.contactId, topicId: claims.topicId!, channel: "EMAIL" } } }).then((s) => s.status);

beforeEach(async () => {
  unit = await createUnit();
  topicUnit = await createUnit({ oneClickScope: "TOPIC" });
});

describe("a one-click opt-out", () => {
  it("opts out of the whole unit and names it; a repeat changes nothing", async () => {
    const claims = await linkFor(unit);
    expect(await optOutByOneClick(claims, requester)).toEqual({ unitName: unit.displayName });
    expect(await optOutByOneClick(claims, requester)).toEqual({ unitName: unit.displayName });
    expect(await db.unitOptOut.count({ where: { contactId: claims.contactId, unitId: unit.id, channel: "EMAIL" } })).toBe(1);
    expect(await oneClickEvents(claims.contactId)).toEqual([
      { action: "UNIT_OPT_OUT", changed: true, tokenId: claims.tokenId },
      { action: "UNIT_OPT_OUT", changed: false, tokenId: claims.tokenId },
    ]);
  });

  it("unsubscribes only the link's topic when the unit chose topic scope", async () => {
    const claims = await linkFor(topicUnit);
    expect(await optOutByOneClick(claims, requester)).toEqual({ unitName: topicUnit.displayName });
    expect(await subscriptionStatus(claims)).toBe("UNSUBSCRIBED");
    expect(await db.unitOptOut.count({ where: { contactId: claims.contactId } })).toBe(0);
    expect(await oneClickEvents(claims.contactId)).toEqual([{ action: "UNSUBSCRIBE", changed: true, tokenId: claims.tokenId }]);
  });

  it("writes nothing and answers null for an erased contact, a removed unit or a removed topic, in either scope", async () => {
    const erased = await linkFor(unit);
    const erasedTopicScope = await linkFor(topicUnit);
    await db.contact.deleteMany({ where: { id: { in: [erased.contactId, erasedTopicScope.contactId] } } });
    const noUnit = { ...(await linkFor(unit)), unitId: 999_999 };
    const noTopic = { ...(await linkFor(topicUnit)), topicId: 999_999 };
    const eventsBefore = await db.consentEvent.count();
    for (const claims of [erased, erasedTopicScope, noUnit, noTopic]) expect(await optOutByOneClick(claims, requester)).toBeNull();
    expect(await db.consentEvent.count()).toBe(eventsBefore);
  });

  it("answers each of a mixed burst (both scopes, repeats, a gone link) as it would alone, in one batch", async () => {
    const unitLinks = await Promise.all([1, 2, 3].map(() => linkFor(unit)));
    const topicLinks = await Promise.all([1, 2].map(() => linkFor(topicUnit)));
    const gone = { ...(await linkFor(unit)), unitId: 999_999 };
    const burst = [...unitLinks, ...topicLinks, gone, unitLinks[0], topicLinks[0]];
    const answers = await Promise.all(burst.map((claims) => optOutByOneClick(claims, requester)));
    expect(answers).toEqual([
      ...unitLinks.map(() => ({ unitName: unit.displayName })),
      ...topicLinks.map(() => ({ unitName: topicUnit.displayName })),
      null,
      { unitName: unit.displayName },
      { unitName: topicUnit.displayName },
    ]);
    for (const claims of topicLinks) expect(await subscriptionStatus(claims)).toBe("UNSUBSCRIBED");
    expect((await oneClickEvents(unitLinks[0].contactId)).map((e) => e.changed)).toEqual([true, false]);
    expect((await oneClickEvents(topicLinks[0].contactId)).map((e) => e.changed)).toEqual([true, false]);
  });
});

describe("the one-click body", () => {
  it("is exactly List-Unsubscribe=One-Click, urlencoded or multipart, and never the page's own form", async () => {
    const multipart = async (fields: Record<string, string>) => {
      const request = new Request("http://x/", { method: "POST", body: Object.entries(fields).reduce((f, [k, v]) => (f.append(k, v), f), new FormData()) });
      return [request.headers.get("content-type")!, new Uint8Array(await request.arrayBuffer())] as const;
    };
    const urlencoded = "application/x-www-form-urlencoded";
    expect(await isOneClickBody(urlencoded, Buffer.from("List-Unsubscribe=One-Click"))).toBe(true);
    expect(await isOneClickBody(...(await multipart({ "List-Unsubscribe": "One-Click" })))).toBe(true);
    expect(await isOneClickBody(urlencoded, Buffer.from("List-Unsubscribe=One-Click&intent=choose"))).toBe(false);
    expect(await isOneClickBody(urlencoded, Buffer.from("List-Unsubscribe=one-click"))).toBe(false);
    expect(await isOneClickBody("text/plain", Buffer.from("List-Unsubscribe=One-Click"))).toBe(false);
    expect(await isOneClickBody(undefined, Buffer.from("List-Unsubscribe=One-Click"))).toBe(false);
    expect(isOneClickForm(new URLSearchParams({ "List-Unsubscribe": "One-Click" }))).toBe(true);
    expect(isOneClickForm(new URLSearchParams({ "List-Unsubscribe": "One-Click", intent: "undo" }))).toBe(false);
  });
});
