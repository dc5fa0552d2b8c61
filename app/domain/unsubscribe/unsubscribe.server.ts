// What a person can do from the unsubscribe link in a promotional email, with no login:
// the page's choices and undo (RFC 8058 one-click is one-click.server.ts). Every change goes
// through the consent core.

import { db } from "~/utils/db.server.ts";
import { maskEmail } from "~/domain/consent/email.ts";
import { isFrequencyOption } from "~/domain/consent/frequency.ts";
import {
  applyConsentChanges,
  type ConsentChange,
  type ConsentContext,
} from "~/domain/consent/changes.server.ts";
import type { LinkClaims } from "~/domain/tokens/link-tokens.server.ts";


export type { Requester } from "~/utils/request.server.ts";
import type { Requester } from "~/utils/request.server.ts";
import type { UnsubscribeChoice } from "./choices.ts";
import type { FrequencyOption } from "~/domain/consent/frequency.ts";

const DAY_MS = 86_400_000;
// Undo is offered on the confirmation page; after this long it is a preference-center matter.
const UNDO_WINDOW_MS = DAY_MS;

/** The ledger context of a change made through a link: who (the link's contact), from where, which token and campaign. */
export function linkConsentContext(claims: LinkClaims, source: "ONE_CLICK" | "LINK_PAGE", requester: Requester): ConsentContext {
  return {
    source,
    actor: `contact:${claims.contactId}`,
    ip: requester.ip,
    userAgent: requester.userAgent,
    tokenId: claims.tokenId,
    campaignId: claims.campaignId,
  };
}

/** The address a link's contact has now, or null when the contact was erased. */
export async function findLinkContact(contactId: number): Promise<string | null> {
  const contact = await db.contact.findUnique({ where: { id: contactId }, select: { email: true } });
  return contact?.email ?? null;
}

/** Everything the unsubscribe page shows, or null when the contact or unit no longer exists. */
export async function loadUnsubscribePage(claims: LinkClaims, now = new Date()) {
  const [contact, unit] = await Promise.all([
    db.contact.findUnique({
      where: { id: claims.contactId },
      select: {
        email: true,
        unitOptOuts: { where: { unitId: claims.unitId, channel: claims.channel }, select: { unitId: true } },
        globalOptOuts: { where: { channel: claims.channel }, select: { channel: true } },
        snoozes: { where: { unitId: claims.unitId, until: { gt: now } }, select: { until: true } },
        frequencyChoices: { where: { unitId: claims.unitId }, select: { frequency: true } },
        subscriptions: claims.topicId
          ? { where: { topicId: claims.topicId, channel: claims.channel }, select: { status: true } }
          : { where: { id: -1 }, select: { status: true } },
      },
    }),
    db.businessUnit.findUnique({
      where: { id: claims.unitId },
      select: {
        id: true,
        displayName: true,
        legalName: true,
        postalAddress: true,
        contactEmail: true,
        contactUrl: true,
        brandColor: true,
        logoUrl: true,
        oneClickScope: true,
        exemptCategories: { where: { archivedAt: null }, orderBy: { name: "asc" }, select: { name: true, reason: true } },
      },
    }),
  ]);
  if (!contact || !unit) return null;
  const topic = claims.topicId
    ? await db.topic.findFirst({ where: { id: claims.topicId, unitId: unit.id }, select: { id: true, name: true } })
    : null;
  const unitOptedOut = contact.unitOptOuts.length > 0;
  const optedOutEverywhere = contact.globalOptOuts.length > 0;
  const topicStatus = contact.subscriptions[0]?.status ?? null;
  return {
    maskedEmail: maskEmail(contact.email),
    unit,
    topic,
    state: {
      unitOptedOut,
      optedOutEverywhere,
      pausedUntil: contact.snoozes[0]?.until ?? null,
      topicSubscribed: topicStatus === "SUBSCRIBED",
      frequency: (contact.frequencyChoices[0]?.frequency ?? "EVERYTHING") as FrequencyOption,
      /** Already unsubscribed from what the link is about: its topic (when it names one) or its unit, or from everything. */
      alreadyUnsubscribed: optedOutEverywhere || unitOptedOut || (topic !== null && topicStatus === "UNSUBSCRIBED"),
      /** What a resubscribe from this link can restore (a global opt-out is the preference center's). */
      canResubscribe: unitOptedOut || (topic !== null && topicStatus === "UNSUBSCRIBED"),
    },
  };
}

export type UnsubscribePage = NonNullable<Awaited<ReturnType<typeof loadUnsubscribePage>>>;

function changesFor(claims: LinkClaims, choice: UnsubscribeChoice, now: Date): ConsentChange[] {
  const { contactId, unitId, channel } = claims;
  switch (choice) {
    case "topic":
      return claims.topicId ? [{ kind: "unsubscribe", contactId, topicId: claims.topicId, channel }] : [];
    case "unit":
      return [{ kind: "optOutOfUnit", contactId, unitId, channel }];
    case "everywhere":
      return [{ kind: "optOutEverywhere", contactId, channel }];
    case "less-weekly":
    case "less-monthly":
      return [{ kind: "setFrequency", contactId, unitId, frequency: choice === "less-weekly" ? "WEEKLY" : "MONTHLY" }];
    case "pause-30":
    case "pause-90":
      return [{ kind: "snooze", contactId, unitId, until: new Date(now.getTime() + (choice === "pause-30" ? 30 : 90) * DAY_MS) }];
  }
}

/** Applies a choice made on the page. Returns the ledger events that changed something (for undo). */
export async function applyUnsubscribeChoice(claims: LinkClaims, choice: UnsubscribeChoice, requester: Requester, now = new Date()) {
  const changes = changesFor(claims, choice, now);
  if (changes.length === 0) return { eventIds: [] as number[], changed: false };
  const results = await applyConsentChanges(changes, { ...linkConsentContext(claims, "LINK_PAGE", requester), now });
  return { eventIds: results.filter((r) => r.changed).map((r) => r.eventId), changed: results.some((r) => r.changed) };
}

/**
 * Restores exactly the state before the given events, which must have been made with this
 * very link in the last day. The restoring changes are recorded like any other.
 */
export async function undoUnsubscribe(claims: LinkClaims, eventIds: number[], requester: Requester, now = new Date()) {
  const events = await db.consentEvent.findMany({
    where: {
      id: { in: eventIds },
      contactId: claims.contactId,
      tokenId: claims.tokenId,
      changed: true,
      source: { in: ["LINK_PAGE", "ONE_CLICK"] },
      createdAt: { gt: new Date(now.getTime() - UNDO_WINDOW_MS) },
    },
    orderBy: { id: "desc" },
  });
  const changes: ConsentChange[] = events.flatMap((event): ConsentChange[] => {
    const detail = event.detail ? (JSON.parse(event.detail) as Record<string, string | null>) : {};
    const contactId = claims.contactId;
    const channel = event.channel ?? claims.channel;
    switch (event.action) {
      case "UNIT_OPT_OUT":
        return [{ kind: "optBackInToUnit", contactId, unitId: event.unitId!, channel }];
      case "GLOBAL_OPT_OUT":
        return [{ kind: "optBackInEverywhere", contactId, channel }];
      case "UNSUBSCRIBE":
        return detail.previousStatus === "SUBSCRIBED" ? [{ kind: "resubscribe", contactId, topicId: event.topicId!, channel }] : [];
      case "SNOOZE":
        return detail.previousUntil && new Date(detail.previousUntil) > now
          ? [{ kind: "snooze", contactId, unitId: event.unitId!, until: new Date(detail.previousUntil) }]
          : [{ kind: "endSnooze", contactId, unitId: event.unitId! }];
      case "FREQUENCY_SET":
        return isFrequencyOption(detail.previous) ? [{ kind: "setFrequency", contactId, unitId: event.unitId!, frequency: detail.previous }] : [];
      default:
        return [];
    }
  });
  if (changes.length === 0) return { undone: 0 };
  const results = await applyConsentChanges(changes, { ...linkConsentContext(claims, "LINK_PAGE", requester), now });
  return { undone: results.filter((r) => r.changed).length };
}

/**
 * Subscribes again to what the link is about, for someone already unsubscribed from it: its
 * topic (the earlier consent applies again) and the unit-wide opt-out lifted. Recorded like any
 * change; a global opt-out stays (it is about every brand: the preference center's to lift).
 */
export async function resubscribeFromLink(claims: LinkClaims, requester: Requester, now = new Date()) {
  const { contactId, unitId, channel } = claims;
  const changes: ConsentChange[] = [{ kind: "optBackInToUnit", contactId, unitId, channel }];
  if (claims.topicId) {
    const subscription = await db.subscription.findUnique({ where: { contactId_topicId_channel: { contactId, topicId: claims.topicId, channel } }, select: { status: true } });
    // Only an unsubscribed topic comes back; one never subscribed needs a consent this link cannot give.
    if (subscription?.status === "UNSUBSCRIBED") changes.unshift({ kind: "resubscribe", contactId, topicId: claims.topicId, channel });
  }
  const results = await applyConsentChanges(changes, { ...linkConsentContext(claims, "LINK_PAGE", requester), now });
  return { changed: results.some((r) => r.changed) };
}
