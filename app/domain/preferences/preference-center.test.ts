import { beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { applyConsentChange } from "~/domain/consent/changes.server.ts";
import { createContact, createTopic, createUnit } from "../../../tests/helpers/fixtures.ts";
import { controlName } from "./controls.ts";
import { loadHistory } from "./history.server.ts";
import { loadPreferenceCenter, PreferencesInputError, savePreferences, setFrequency, setPause } from "./preference-center.server.ts";

const requester = { actor: "contact:test", ip: "203.0.113.7", userAgent: "Firefox" };

let unitA: { id: number; displayName: string };
let unitB: { id: number };
let topicA1: { id: number; name: string };
let topicA2: { id: number };
let topicA2Name: string;
let topicB: { id: number };
let contact: { id: number };
let text: { id: number };
// Each test shows a newer wording than any before it (version is a 32-bit Int on PostgreSQL: not Date.now()).
let textVersion = 1_000_000;

beforeEach(async () => {
  unitA = await createUnit();
  unitB = await createUnit();
  topicA1 = await createTopic(unitA.id, { offersPhone: false });
  topicA2 = await createTopic(unitA.id);
  topicA2Name = (await db.topic.findUniqueOrThrow({ where: { id: topicA2.id } })).name;
  topicB = await createTopic(unitB.id);
  contact = await createContact();
  text = await db.consentText.create({ data: { key: "preference-center", version: ++textVersion, body: "Send me what I pick." } });
  for (const topicId of [topicA2.id, topicB.id]) {
    await applyConsentChange({ kind: "subscribe", contactId: contact.id, topicId, channel: "EMAIL", basis: "SOFT_OPT_IN" }, { source: "IMPORT" });
  }
});

const subscriptions = () =>
  db.subscription.findMany({ where: { contactId: contact.id }, orderBy: [{ topicId: "asc" }, { channel: "asc" }], select: { topicId: true, channel: true, status: true, basis: true } });

describe("preference center", () => {
  it("shows each related unit with every offered channel, nothing pre-checked that was not chosen", async () => {
    const center = await loadPreferenceCenter(contact.id);
    const shown = center.units.filter((u) => u.shown).map((u) => u.id);
    expect(shown.sort()).toEqual([unitA.id, unitB.id].sort());
    const a1 = center.units.find((u) => u.id === unitA.id)!.topics.find((t) => t.id === topicA1.id)!;
    expect(a1.channels).toEqual([
      { channel: "EMAIL", subscribed: false },
      { channel: "POSTAL", subscribed: false },
    ]);
    expect(center.sharing).toEqual({ GROUP_COMPANIES: false, THIRD_PARTY_OFFERS: false });
    expect(center.optedOutEverywhere).toEqual({ EMAIL: false, POSTAL: false, PHONE: false });
  });

  it("subscribes and unsubscribes a topic channel through the consent core, with the consent text shown", async () => {
    const name = controlName.topic(topicA1.id, "POSTAL");
    expect(await savePreferences(contact.id, { shown: new Map([[name, false]]), checked: new Set([name]) }, requester)).toEqual({ changed: 1, changedElsewhere: [] });
    const event = await db.consentEvent.findFirstOrThrow({ where: { contactId: contact.id, topicId: topicA1.id }, orderBy: { id: "desc" } });
    expect(event).toMatchObject({ action: "SUBSCRIBE", source: "PREFERENCE_CENTER", channel: "POSTAL", consentTextId: text.id, ip: "203.0.113.7" });
    await savePreferences(contact.id, { shown: new Map([[name, true]]), checked: new Set() }, requester);
    expect((await subscriptions()).find((s) => s.topicId === topicA1.id)).toMatchObject({ channel: "POSTAL", status: "UNSUBSCRIBED" });
  });

  it("changes only the controls that were on the submitted form (a crafted partial post)", async () => {
    const before = await subscriptions();
    // A crafted post: topic A2 is "shown" and unticked; topic B's box is ticked but was not shown,
    // and topic B's email row is absent entirely. Only A2 may change.
    const submission = {
      shown: new Map([[controlName.topic(topicA2.id, "EMAIL"), true]]),
      checked: new Set([controlName.topic(topicB.id, "POSTAL")]),
    };
    await savePreferences(contact.id, submission, requester);
    const after = await subscriptions();
    expect(after.filter((s) => s.topicId !== topicA2.id)).toEqual(before.filter((s) => s.topicId !== topicA2.id));
    expect(after.find((s) => s.topicId === topicA2.id)).toMatchObject({ status: "UNSUBSCRIBED" });
  });

  it("treats expired consent as unticked: ticking renews it, saving the card leaves it alone", async () => {
    await db.subscription.updateMany({ where: { contactId: contact.id, topicId: topicA2.id }, data: { expiresAt: new Date("2021-01-01") } });
    const name = controlName.topic(topicA2.id, "EMAIL");
    expect((await loadPreferenceCenter(contact.id)).units.find((u) => u.id === unitA.id)!.topics.find((t) => t.id === topicA2.id)!.channels[0]).toEqual({
      channel: "EMAIL",
      subscribed: false,
    });
    expect(await savePreferences(contact.id, { shown: new Map([[name, false]]), checked: new Set() }, requester)).toEqual({ changed: 0, changedElsewhere: [] });
    expect(await savePreferences(contact.id, { shown: new Map([[name, false]]), checked: new Set([name]) }, requester)).toEqual({ changed: 1, changedElsewhere: [] });
    expect(await db.subscription.findFirstOrThrow({ where: { contactId: contact.id, topicId: topicA2.id } })).toMatchObject({
      status: "SUBSCRIBED",
      basis: "EXPRESS",
      expiresAt: null,
    });
  });

  it("records nothing when a save asks for what already holds", async () => {
    const events = await db.consentEvent.count({ where: { contactId: contact.id } });
    const name = controlName.topic(topicB.id, "EMAIL");
    expect(await savePreferences(contact.id, { shown: new Map([[name, false]]), checked: new Set([name]) }, requester)).toEqual({ changed: 0, changedElsewhere: [] });
    expect(await db.consentEvent.count({ where: { contactId: contact.id } })).toBe(events);
  });

  it("opts out of one unit without touching the other, globally, and sets sharing consents", async () => {
    const unitOut = controlName.unitOptOut(unitA.id, "EMAIL");
    const everywhere = controlName.everywhere("PHONE");
    const sharing = controlName.sharing("GROUP_COMPANIES");
    await savePreferences(contact.id, { shown: new Map([unitOut, everywhere, sharing].map((n) => [n, false])), checked: new Set([unitOut, everywhere, sharing]) }, requester);
    expect(await db.unitOptOut.findMany({ where: { contactId: contact.id }, select: { unitId: true, channel: true } })).toEqual([
      { unitId: unitA.id, channel: "EMAIL" },
    ]);
    expect(await db.globalOptOut.findMany({ where: { contactId: contact.id }, select: { channel: true } })).toEqual([{ channel: "PHONE" }]);
    expect(await db.sharingConsent.findMany({ where: { contactId: contact.id }, select: { purpose: true, granted: true } })).toEqual([
      { purpose: "GROUP_COMPANIES", granted: true },
    ]);
    expect((await subscriptions()).every((s) => s.status === "SUBSCRIBED")).toBe(true);
  });

  it("refuses names the page never renders and channels a topic does not offer", async () => {
    await expect(savePreferences(contact.id, { shown: new Map([["contact:2:EMAIL", false]]), checked: new Set() }, requester)).rejects.toBeInstanceOf(PreferencesInputError);
    const phone = controlName.topic(topicA1.id, "PHONE");
    await expect(savePreferences(contact.id, { shown: new Map([[phone, false]]), checked: new Set([phone]) }, requester)).rejects.toThrow(/not offered by phone/);
  });

  it("writes only what the person changed from what the page showed: a newer choice made elsewhere stands and is named", async () => {
    // The page was drawn with A2 and B subscribed; since then a link unsubscribed A2.
    const a2 = controlName.topic(topicA2.id, "EMAIL");
    const b = controlName.topic(topicB.id, "EMAIL");
    await applyConsentChange({ kind: "unsubscribe", contactId: contact.id, topicId: topicA2.id, channel: "EMAIL" }, { source: "LINK_PAGE" });
    // The old page posts A2 still ticked (untouched) and B unticked (the person's change).
    const saved = await savePreferences(contact.id, { shown: new Map([[a2, true], [b, true]]), checked: new Set([a2]) }, requester);
    expect(saved).toEqual({ changed: 1, changedElsewhere: [{ kind: "topic", topic: topicA2Name, unit: unitA.displayName, channel: "EMAIL", on: false }] });
    expect((await subscriptions()).map((s) => [s.topicId, s.status])).toEqual([
      [topicA2.id, "UNSUBSCRIBED"],
      [topicB.id, "UNSUBSCRIBED"],
    ]);
    // Both changes stand in the ledger; the old page wrote no subscribe.
    const actions = await db.consentEvent.findMany({ where: { contactId: contact.id, source: { not: "IMPORT" } }, orderBy: { id: "asc" }, select: { action: true, source: true, topicId: true } });
    expect(actions).toEqual([
      { action: "UNSUBSCRIBE", source: "LINK_PAGE", topicId: topicA2.id },
      { action: "UNSUBSCRIBE", source: "PREFERENCE_CENTER", topicId: topicB.id },
    ]);
  });

  it("pauses and resumes a unit, and the history tells each change in plain words", async () => {
    await setPause(contact.id, unitA.id, 30, { ...requester });
    await setPause(contact.id, unitA.id, 0, { ...requester });
    const history = await loadHistory(contact.id, 1);
    expect(history.total).toBe(4);
    expect(history.entries[0].text).toBe(`You resumed ${unitA.displayName} promotional email in your preference center.`);
    expect(history.entries[1].text).toMatch(new RegExp(`^You paused ${unitA.displayName} promotional email until \\d+ \\w+ \\d{4} in your preference center\\.$`));
    expect(history.entries[1].ip).toBe("203.0.113.7");

    // The same history for a German reader in Berlin: German sentences, the day on their calendar.
    const german = await loadHistory(contact.id, 1, { language: "de", timeZone: "Europe/Berlin" });
    expect(german.entries[0].text).toBe(`Sie haben Werbe-E-Mails von ${unitA.displayName} wieder aufgenommen – in Ihren Einstellungen.`);
    expect(german.entries[1].text).toMatch(new RegExp(`^Sie haben Werbe-E-Mails von ${unitA.displayName} bis zum \\d+\\. \\p{L}+ \\d{4} pausiert – in Ihren Einstellungen\\.$`, "u"));
  });

  it("sets how often a unit may email (send me less), shows it on the unit, and the history tells it in words", async () => {
    await setFrequency(contact.id, unitA.id, "WEEKLY", { ...requester });
    await setFrequency(contact.id, unitA.id, "EVERYTHING", { ...requester });
    await setFrequency(contact.id, unitA.id, "MONTHLY", { ...requester });
    const center = await loadPreferenceCenter(contact.id);
    expect(center.units.find((u) => u.id === unitA.id)?.frequency).toBe("MONTHLY");
    const history = await loadHistory(contact.id, 1);
    expect(history.entries.slice(0, 3).map((e) => e.text)).toEqual([
      `You chose to get at most one promotional email a month from ${unitA.displayName} in your preference center.`,
      `You chose to get every promotional email from ${unitA.displayName} in your preference center.`,
      `You chose to get at most one promotional email a week from ${unitA.displayName} in your preference center.`,
    ]);
  });
});
