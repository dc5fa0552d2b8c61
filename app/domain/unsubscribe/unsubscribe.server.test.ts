import { beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { applyConsentChange } from "~/domain/consent/changes.server.ts";
import type { LinkClaims } from "~/domain/tokens/link-tokens.server.ts";
import { createContact, createTopic, createUnit, unsubscribeLinkClaims } from "../../../tests/helpers/fixtures.ts";
import { applyUnsubscribeChoice, loadUnsubscribePage, resubscribeFromLink, undoUnsubscribe } from "./unsubscribe.server.ts";
import { countUnsubscribeReasons, recordUnsubscribeReason } from "./reasons.server.ts";

// Undo on the unsubscribe page restores only what this very link changed, and only within a day.

const DAY_MS = 86_400_000;
const requester = { ip: "203.0.113.5", userAgent: "Mail/1" };

let unit: { id: number };
let topic: { id: number };
let contact: { id: number };

/** The claims of one emailed link to the contact (each link has its own token id). */
const link = (tokenId: string): LinkClaims => unsubscribeLinkClaims({ contactId: contact.id, unitId: unit.id, topicId: topic.id, tokenId });

const optedOut = () => db.unitOptOut.count({ where: { contactId: contact.id, unitId: unit.id, channel: "EMAIL" } });

beforeEach(async () => {
  unit = await createUnit();
  topic = await createTopic(unit.id);
  contact = await createContact();
  await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId: topic.id, channel: "EMAIL", basis: "EXPRESS" }, { source: "IMPORT" });
});

describe("undo on the unsubscribe page", () => {
  it("ignores the events of another link, even of the same person, and undoes those of its own link", async () => {
    const madeAt = new Date("2026-03-01T10:00:00Z");
    const { eventIds } = await applyUnsubscribeChoice(link("link-1"), "unit", requester, madeAt);
    expect(eventIds).toHaveLength(1);
    const undoAt = new Date(madeAt.getTime() + 60_000);

    expect(await undoUnsubscribe(link("link-2"), eventIds, requester, undoAt)).toEqual({ undone: 0 });
    expect(await optedOut()).toBe(1);

    expect(await undoUnsubscribe(link("link-1"), eventIds, requester, undoAt)).toEqual({ undone: 1 });
    expect(await optedOut()).toBe(0);
    const undo = await db.consentEvent.findFirstOrThrow({ where: { contactId: contact.id }, orderBy: { id: "desc" } });
    expect(undo).toMatchObject({ action: "UNIT_OPT_IN", changed: true, tokenId: "link-1", source: "LINK_PAGE" });
  });

  it("does nothing 24 hours and 1 ms after the change (nor at 24 hours), and works just under 24 hours", async () => {
    const madeAt = new Date("2026-03-01T10:00:00Z");
    const claims = link("link-1");
    const { eventIds } = await applyUnsubscribeChoice(claims, "unit", requester, madeAt);
    const after = (ms: number) => new Date(madeAt.getTime() + ms);
    const ledgerSize = await db.consentEvent.count({ where: { contactId: contact.id } });

    expect(await undoUnsubscribe(claims, eventIds, requester, after(DAY_MS + 1))).toEqual({ undone: 0 });
    expect(await undoUnsubscribe(claims, eventIds, requester, after(DAY_MS))).toEqual({ undone: 0 });
    expect(await optedOut()).toBe(1);
    expect(await db.consentEvent.count({ where: { contactId: contact.id } })).toBe(ledgerSize);

    expect(await undoUnsubscribe(claims, eventIds, requester, after(DAY_MS - 1))).toEqual({ undone: 1 });
    expect(await optedOut()).toBe(0);
  });
});

describe("send me less, resubscribe and why? from the link (ADR 043)", () => {
  const frequency = () => db.frequencyChoice.findUnique({ where: { contactId_unitId: { contactId: contact.id, unitId: unit.id } } });

  it("'send me less' sets the unit's frequency through the consent core, and undo puts back everything", async () => {
    const claims = link("link-1");
    const { eventIds } = await applyUnsubscribeChoice(claims, "less-weekly", requester);
    expect(await frequency()).toMatchObject({ frequency: "WEEKLY" });
    expect(await db.consentEvent.findUniqueOrThrow({ where: { id: eventIds[0] } })).toMatchObject({ action: "FREQUENCY_SET", source: "LINK_PAGE", tokenId: "link-1", unitId: unit.id });
    expect((await loadUnsubscribePage(claims))?.state).toMatchObject({ frequency: "WEEKLY", alreadyUnsubscribed: false });
    expect(await undoUnsubscribe(claims, eventIds, requester)).toEqual({ undone: 1 });
    expect(await frequency()).toBeNull();
  });

  it("resubscribes what the link is about: the topic and the unit opt-out, each with its ledger event", async () => {
    const claims = link("link-1");
    await applyUnsubscribeChoice(claims, "topic", requester);
    await applyUnsubscribeChoice(claims, "unit", requester);
    expect((await loadUnsubscribePage(claims))?.state).toMatchObject({ alreadyUnsubscribed: true, canResubscribe: true });

    expect(await resubscribeFromLink(claims, requester)).toEqual({ changed: true });
    expect((await loadUnsubscribePage(claims))?.state).toMatchObject({ alreadyUnsubscribed: false, topicSubscribed: true, unitOptedOut: false });
    const last = await db.consentEvent.findMany({ where: { contactId: contact.id }, orderBy: { id: "desc" }, take: 2, select: { action: true, changed: true, tokenId: true } });
    expect(last.reverse()).toEqual([
      { action: "SUBSCRIBE", changed: true, tokenId: "link-1" },
      { action: "UNIT_OPT_IN", changed: true, tokenId: "link-1" },
    ]);
    // Again: nothing left to restore, recorded as unchanged.
    expect(await resubscribeFromLink(claims, requester)).toEqual({ changed: false });
  });

  it("records one 'why?' per link, a second answer replacing the first, counted per unit and campaign", async () => {
    const campaign = await db.campaign.create({ data: { unitId: unit.id, topicId: topic.id, name: "c", subject: "c" } });
    const withCampaign = (tokenId: string) => ({ ...link(tokenId), campaignId: campaign.id });
    await recordUnsubscribeReason(withCampaign("link-1"), "TOO_MANY");
    await recordUnsubscribeReason(withCampaign("link-1"), "NOT_RELEVANT");
    await recordUnsubscribeReason(withCampaign("link-2"), "NOT_RELEVANT");
    await recordUnsubscribeReason(link("link-3"), "OTHER");
    expect(await countUnsubscribeReasons({ campaignId: campaign.id })).toEqual({ TOO_MANY: 0, NOT_RELEVANT: 2, NEVER_SIGNED_UP: 0, OTHER: 0 });
    expect(await countUnsubscribeReasons({ unitId: unit.id })).toEqual({ TOO_MANY: 0, NOT_RELEVANT: 2, NEVER_SIGNED_UP: 0, OTHER: 1 });
    // It changes no consent state and writes no ledger event.
    expect(await db.consentEvent.count({ where: { contactId: contact.id, source: { not: "IMPORT" } } })).toBe(0);
  });
});
