import crypto from "node:crypto";
import { db } from "~/utils/db.server.ts";
import { UNIT_CATEGORIES } from "../../prisma/demo-data.ts";
import { ensureGroupCategories } from "~/domain/transactional/group-categories.server.ts";
import type { LinkClaims } from "~/domain/tokens/link-tokens.server.ts";

// Test data made through the data layer. Preference state itself goes through the consent core
// in tests that exercise it; these helpers only build units, topics, contacts and link claims.

export async function createUnit(overrides: Partial<{ slug: string; displayName: string; oneClickScope: "UNIT" | "TOPIC" }> = {}) {
  const slug = overrides.slug ?? `unit-${crypto.randomBytes(3).toString("hex")}`;
  return db.businessUnit.create({
    data: {
      slug,
      displayName: overrides.displayName ?? `Unit ${slug}`,
      legalName: `${slug} Ltd`,
      postalAddress: "1 Example Street, Example City",
      contactEmail: `hello@${slug}.example.com`,
      fromName: `Unit ${slug}`,
      fromEmail: `news@${slug}.example.com`,
      sendingDomain: `${slug}.example.com`,
      oneClickScope: overrides.oneClickScope ?? "UNIT",
    },
  });
}

export async function createTopic(
  unitId: number,
  overrides: Partial<{ slug: string; name: string; offersEmail: boolean; offersPostal: boolean; offersPhone: boolean; archivedAt: Date }> = {},
) {
  const slug = overrides.slug ?? `topic-${crypto.randomBytes(3).toString("hex")}`;
  return db.topic.create({
    data: { unitId, name: overrides.name ?? `Topic ${slug}`, offersEmail: true, offersPostal: true, offersPhone: true, ...overrides, slug },
  });
}

export async function createContact(email?: string) {
  return db.contact.create({ data: { email: email ?? `person-${crypto.randomBytes(4).toString("hex")}@example.com` } });
}

/** The demo's exempt categories: five for the unit, and the group-level ones (once per database). */
export async function createExemptCategories(unitId: number) {
  await db.exemptCategory.createMany({ data: UNIT_CATEGORIES.map((c) => ({ ...c, unitId })) });
  await ensureGroupCategories(db);
}

/** The claims of an unsubscribe link emailed to a contact about a topic, as verifying its token gives them. */
export function unsubscribeLinkClaims(link: { contactId: number; unitId: number; topicId: number; tokenId: string }): LinkClaims {
  return {
    purpose: "unsubscribe",
    ...link,
    campaignId: null,
    channel: "EMAIL",
    optOutOnly: false,
    issuedAt: new Date("2026-01-01T00:00:00Z"),
    expiresAt: new Date("2027-01-01T00:00:00Z"),
  };
}

