import { db } from "~/utils/db.server.ts";

// Everything the consent domain holds about one person, for their own data download: current
// state with readable names, and the full ledger of changes.

function parseDetail(detail: string | null): unknown {
  if (detail === null) return null;
  try {
    return JSON.parse(detail);
  } catch {
    return detail;
  }
}

export async function consentRecordOf(contactId: number) {
  const contact = await db.contact.findUnique({
    where: { id: contactId },
    select: {
      email: true,
      name: true,
      locale: true,
      createdAt: true,
      subscriptions: {
        orderBy: { id: "asc" },
        select: {
          channel: true,
          status: true,
          basis: true,
          consentedAt: true,
          expiresAt: true,
          updatedAt: true,
          topic: { select: { slug: true, name: true, unit: { select: { slug: true, displayName: true } } } },
          consentText: { select: { key: true, version: true, body: true } },
        },
      },
      unitOptOuts: { select: { channel: true, createdAt: true, unit: { select: { slug: true, displayName: true } } } },
      globalOptOuts: { select: { channel: true, createdAt: true } },
      snoozes: { select: { until: true, createdAt: true, unit: { select: { slug: true, displayName: true } } } },
      sharingConsents: { select: { purpose: true, granted: true, updatedAt: true, consentText: { select: { key: true, version: true, body: true } } } },
      suppressions: { select: { reason: true, createdAt: true } },
      consentEvents: {
        orderBy: { id: "asc" },
        select: {
          id: true,
          createdAt: true,
          action: true,
          changed: true,
          source: true,
          unitId: true,
          topicId: true,
          channel: true,
          actor: true,
          ip: true,
          userAgent: true,
          campaignId: true,
          detail: true,
          consentText: { select: { key: true, version: true } },
        },
      },
    },
  });
  if (!contact) return null;
  const { subscriptions, unitOptOuts, snoozes, consentEvents, ...rest } = contact;
  return {
    contact: { email: rest.email, name: rest.name, locale: rest.locale, createdAt: rest.createdAt },
    subscriptions: subscriptions.map(({ topic, ...s }) => ({
      unit: topic.unit.displayName,
      unitSlug: topic.unit.slug,
      topic: topic.name,
      topicSlug: topic.slug,
      ...s,
    })),
    optOuts: {
      byUnit: unitOptOuts.map(({ unit, ...o }) => ({ unit: unit.displayName, unitSlug: unit.slug, ...o })),
      everywhere: rest.globalOptOuts,
    },
    snoozes: snoozes.map(({ unit, ...s }) => ({ unit: unit.displayName, unitSlug: unit.slug, ...s })),
    sharingConsents: rest.sharingConsents,
    suppressions: rest.suppressions,
    ledger: consentEvents.map(({ detail, ...event }) => ({ ...event, detail: parseDetail(detail) })),
  };
}
