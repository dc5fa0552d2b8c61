// The logged-in preference center: what one contact sees and changes. Reads here, writes only
// through the consent core. A save changes only the controls that were on the submitted form and
// that the person changed from what the page showed: every control travels with a "shown"
// marker naming it and its state as drawn.

import { db } from "~/utils/db.server.ts";
import { isActiveSubscription } from "~/domain/consent/eligibility.ts";
import { applyConsentChanges, type ConsentChange, type ConsentContext } from "~/domain/consent/changes.server.ts";
import { CHANNELS, offeredChannels, type Channel } from "~/domain/consent/channels.ts";
import type { SubscriptionStatus } from "~/generated/prisma/enums.ts";
import { parseControlName, SHARING_PURPOSES, type Control, type PreferencesSubmission, type SharingPurpose } from "./controls.ts";
import type { FrequencyOption } from "~/domain/consent/frequency.ts";


/** Which ConsentText each kind of control shows, by key. */
export const CONSENT_TEXT_KEYS = {
  topics: "preference-center",
  GROUP_COMPANIES: "sharing-group-companies",
  THIRD_PARTY_OFFERS: "sharing-third-party-offers",
} as const;

/** The newest version of each consent text: what the page shows and what a save records. */
export async function currentConsentTexts() {
  const texts = await db.consentText.findMany({
    where: { key: { in: Object.values(CONSENT_TEXT_KEYS) } },
    orderBy: { version: "desc" },
  });
  const newest = new Map<string, { id: number; body: string }>();
  for (const text of texts) if (!newest.has(text.key)) newest.set(text.key, { id: text.id, body: text.body });
  return newest;
}

export async function loadPreferenceCenter(contactId: number, options: { alsoShow?: string[]; now?: Date } = {}) {
  const now = options.now ?? new Date();
  const [contact, units, texts] = await Promise.all([
    db.contact.findUniqueOrThrow({
      where: { id: contactId },
      select: {
        email: true,
        name: true,
        locale: true,
        timeZone: true,
        subscriptions: { select: { topicId: true, channel: true, status: true, expiresAt: true } },
        unitOptOuts: { select: { unitId: true, channel: true } },
        globalOptOuts: { select: { channel: true } },
        snoozes: { where: { until: { gt: now } }, select: { unitId: true, until: true } },
        frequencyChoices: { select: { unitId: true, frequency: true } },
        sharingConsents: { select: { purpose: true, granted: true } },
        consentEvents: { where: { unitId: { not: null } }, distinct: ["unitId"], select: { unitId: true } },
      },
    }),
    db.businessUnit.findMany({
      orderBy: { displayName: "asc" },
      select: {
        id: true,
        slug: true,
        displayName: true,
        brandColor: true,
        topics: {
          where: { archivedAt: null },
          orderBy: { name: "asc" },
          select: { id: true, name: true, description: true, offersEmail: true, offersPostal: true, offersPhone: true },
        },
        exemptCategories: { where: { archivedAt: null }, orderBy: { name: "asc" }, select: { name: true, reason: true } },
      },
    }),
    currentConsentTexts(),
  ]);

  const subscribed = new Set(
    contact.subscriptions
      .filter((s) => isActiveSubscription(s, now))
      .map((s) => `${s.topicId}:${s.channel}`),
  );
  const topicUnit = new Map(units.flatMap((u) => u.topics.map((t) => [t.id, u.id] as const)));
  // A relationship: any consent row or ledger event about the unit.
  const related = new Set<number>([
    ...contact.subscriptions.map((s) => topicUnit.get(s.topicId)).filter((id): id is number => id !== undefined),
    ...contact.unitOptOuts.map((o) => o.unitId),
    ...contact.snoozes.map((s) => s.unitId),
    ...contact.consentEvents.map((e) => e.unitId!),
  ]);
  const alsoShow = new Set(options.alsoShow ?? []);

  const cards = units.map((unit) => ({
    id: unit.id,
    slug: unit.slug,
    displayName: unit.displayName,
    brandColor: unit.brandColor,
    shown: related.has(unit.id) || alsoShow.has(unit.slug),
    related: related.has(unit.id),
    optedOut: Object.fromEntries(CHANNELS.map((ch) => [ch, contact.unitOptOuts.some((o) => o.unitId === unit.id && o.channel === ch)])) as Record<Channel, boolean>,
    pausedUntil: contact.snoozes.find((s) => s.unitId === unit.id)?.until ?? null,
    /** "Send me less" (ADR 043). */
    frequency: (contact.frequencyChoices.find((c) => c.unitId === unit.id)?.frequency ?? "EVERYTHING") as FrequencyOption,
    topics: unit.topics.map((topic) => ({
      id: topic.id,
      name: topic.name,
      description: topic.description,
      channels: offeredChannels(topic).map((channel) => ({ channel, subscribed: subscribed.has(`${topic.id}:${channel}`) })),
    })),
    exemptCategories: unit.exemptCategories,
  }));
  const sharing = Object.fromEntries(
    SHARING_PURPOSES.map((purpose) => [purpose, contact.sharingConsents.some((c) => c.purpose === purpose && c.granted)]),
  ) as Record<SharingPurpose, boolean>;

  return {
    contact: { email: contact.email, name: contact.name, locale: contact.locale, timeZone: contact.timeZone },
    units: cards,
    optedOutEverywhere: Object.fromEntries(CHANNELS.map((ch) => [ch, contact.globalOptOuts.some((o) => o.channel === ch)])) as Record<Channel, boolean>,
    sharing,
    consentTexts: {
      topics: texts.get(CONSENT_TEXT_KEYS.topics)?.body ?? null,
      GROUP_COMPANIES: texts.get(CONSENT_TEXT_KEYS.GROUP_COMPANIES)?.body ?? null,
      THIRD_PARTY_OFFERS: texts.get(CONSENT_TEXT_KEYS.THIRD_PARTY_OFFERS)?.body ?? null,
    },
  };
}

export type PreferenceCenter = Awaited<ReturnType<typeof loadPreferenceCenter>>;

export class PreferencesInputError extends Error {
  name = "PreferencesInputError";
}

/** A save as posted: the controls that were on the form, as the page showed them, and the ones ticked now. */
/**
 * Applies what the person changed from what their page showed. A control left as shown is not
 * written even when the stored state moved since the page was drawn (a link, a one-click, a
 * complaint): that newer choice stands, and is named in `changedElsewhere` for the page to say.
 */
export async function savePreferences(
  contactId: number,
  submission: PreferencesSubmission,
  context: Omit<ConsentContext, "source" | "consentTextId">,
  now = new Date(),
) {
  const texts = await currentConsentTexts();
  const contact = await db.contact.findUniqueOrThrow({
    where: { id: contactId },
    select: {
      subscriptions: { select: { topicId: true, channel: true, status: true, expiresAt: true } },
      unitOptOuts: { select: { unitId: true, channel: true } },
      globalOptOuts: { select: { channel: true } },
      sharingConsents: { select: { purpose: true, granted: true } },
    },
  });
  const consentChanges: ConsentChange[] = [];
  const sharingChanges: { change: ConsentChange; purpose: SharingPurpose }[] = [];
  const movedElsewhere: Control[] = [];

  for (const [name, shownOn] of submission.shown) {
    const control = parseControlName(name);
    if (!control) throw new PreferencesInputError(`Unknown preference "${name}".`);
    const wanted = submission.checked.has(name);
    const stored = isOn(contact, control, now);
    if (wanted === shownOn) {
      if (stored !== shownOn) movedElsewhere.push(control);
      continue;
    }
    if (wanted === stored) continue;
    if (control.kind === "topic") {
      const { topicId, channel } = control;
      consentChanges.push(wanted ? { kind: "subscribe", contactId, topicId, channel, basis: "EXPRESS" } : { kind: "unsubscribe", contactId, topicId, channel });
    } else if (control.kind === "unit-optout") {
      const { unitId, channel } = control;
      if (!(await db.businessUnit.count({ where: { id: unitId } }))) throw new PreferencesInputError(`There is no business unit ${unitId}.`);
      consentChanges.push({ kind: wanted ? "optOutOfUnit" : "optBackInToUnit", contactId, unitId, channel });
    } else if (control.kind === "everywhere-optout") {
      consentChanges.push({ kind: wanted ? "optOutEverywhere" : "optBackInEverywhere", contactId, channel: control.channel });
    } else {
      sharingChanges.push({ change: { kind: "setSharing", contactId, purpose: control.purpose, granted: wanted }, purpose: control.purpose });
    }
  }

  // All or nothing; each change is recorded with the wording it was made under.
  const source = { ...context, source: "PREFERENCE_CENTER" as const, now };
  const results = await db.$transaction(async (tx) => {
    const applied = [];
    if (consentChanges.length > 0) {
      applied.push(...(await applyConsentChanges(consentChanges, { ...source, consentTextId: texts.get(CONSENT_TEXT_KEYS.topics)?.id ?? null }, tx)));
    }
    for (const { change, purpose } of sharingChanges) {
      applied.push(...(await applyConsentChanges([change], { ...source, consentTextId: texts.get(CONSENT_TEXT_KEYS[purpose])?.id ?? null }, tx)));
    }
    return applied;
  });
  return { changed: results.filter((r) => r.changed).length, changedElsewhere: await describeControls(movedElsewhere, contact, now) };
}

type StoredPreferences = {
  subscriptions: { topicId: number; channel: Channel; status: SubscriptionStatus; expiresAt: Date | null }[];
  unitOptOuts: { unitId: number; channel: Channel }[];
  globalOptOuts: { channel: Channel }[];
  sharingConsents: { purpose: string; granted: boolean }[];
};

/** Whether a control is on in the stored state, by the same rules the page draws it with. */
function isOn(stored: StoredPreferences, control: Control, now: Date): boolean {
  switch (control.kind) {
    case "topic": {
      const current = stored.subscriptions.find((s) => s.topicId === control.topicId && s.channel === control.channel);
      // The page shows expired consent as unticked, so the save compares against the same rule.
      return current !== undefined && isActiveSubscription(current, now);
    }
    case "unit-optout":
      return stored.unitOptOuts.some((o) => o.unitId === control.unitId && o.channel === control.channel);
    case "everywhere-optout":
      return stored.globalOptOuts.some((o) => o.channel === control.channel);
    case "sharing":
      return stored.sharingConsents.some((c) => c.purpose === control.purpose && c.granted);
  }
}

/** A control whose stored state moved since the page was drawn, for the page to put in words in the person's language. */
export type MovedControl =
  | { kind: "topic"; topic: string; unit: string; channel: Channel; on: boolean }
  | { kind: "unit-optout"; unit: string; channel: Channel; on: boolean }
  | { kind: "everywhere-optout"; channel: Channel; on: boolean }
  | { kind: "sharing"; purpose: SharingPurpose; on: boolean };

/** Each control with its names and stored state ("Tax tips from Example Tax by email: now off" on the page). */
async function describeControls(controls: Control[], stored: StoredPreferences, now: Date): Promise<MovedControl[]> {
  if (controls.length === 0) return [];
  const topicIds = controls.flatMap((c) => (c.kind === "topic" ? [c.topicId] : []));
  const unitIds = controls.flatMap((c) => (c.kind === "unit-optout" ? [c.unitId] : []));
  const [topics, units] = await Promise.all([
    db.topic.findMany({ where: { id: { in: topicIds } }, select: { id: true, name: true, unit: { select: { displayName: true } } } }),
    db.businessUnit.findMany({ where: { id: { in: unitIds } }, select: { id: true, displayName: true } }),
  ]);
  return controls.map((control): MovedControl => {
    const on = isOn(stored, control, now);
    switch (control.kind) {
      case "topic": {
        const topic = topics.find((t) => t.id === control.topicId);
        return { kind: "topic", topic: topic?.name ?? "?", unit: topic?.unit.displayName ?? "?", channel: control.channel, on };
      }
      case "unit-optout":
        return { kind: "unit-optout", unit: units.find((u) => u.id === control.unitId)?.displayName ?? "?", channel: control.channel, on };
      case "everywhere-optout":
        return { kind: "everywhere-optout", channel: control.channel, on };
      case "sharing":
        return { kind: "sharing", purpose: control.purpose, on };
    }
  });
}

const DAY_MS = 86_400_000;

/** Pauses a unit's promotional mail for 30 or 90 days, or resumes it. */
/** "Send me less" for one unit, from the preference center (ADR 043). */
export async function setFrequency(contactId: number, unitId: number, frequency: FrequencyOption, context: Omit<ConsentContext, "source">, now = new Date()) {
  return applyConsentChanges([{ kind: "setFrequency", contactId, unitId, frequency }], { ...context, source: "PREFERENCE_CENTER", now });
}

export async function setPause(contactId: number, unitId: number, days: 0 | 30 | 90, context: Omit<ConsentContext, "source">, now = new Date()) {
  if (!(await db.businessUnit.count({ where: { id: unitId } }))) throw new PreferencesInputError(`There is no business unit ${unitId}.`);
  const change: ConsentChange =
    days === 0 ? { kind: "endSnooze", contactId, unitId } : { kind: "snooze", contactId, unitId, until: new Date(now.getTime() + days * DAY_MS) };
  return applyConsentChanges([change], { ...context, source: "PREFERENCE_CENTER", now });
}
