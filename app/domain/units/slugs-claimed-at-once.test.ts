import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AuditActor } from "~/domain/audit/audit.server.ts";
import { createCategory } from "~/domain/transactional/exempt-categories.server.ts";
import { db } from "~/utils/db.server.ts";
import { createTopic } from "./topics.server.ts";
import { createUnit } from "./unit-admin.server.ts";

// Two admins creating the same slug at the same moment. Each transaction looks, finds none and
// creates; on PostgreSQL (READ COMMITTED, a pool) both get that far and the unique index stops
// the second. That second admin must get the page's "choose another" answer, not a 500.

const ADMIN: AuditActor = {
  userId: 1,
  email: "admin@example.com",
  ip: "203.0.113.9",
  userAgent: "test",
};
const fresh = (prefix: string) =>
  `${prefix}-${crypto.randomBytes(3).toString("hex")}`;
const unitForm = (slug: string) => ({
  slug,
  displayName: "Acme Garden",
  legalName: "Acme Garden Supplies Ltd",
  postalAddress: "4 Potting Shed Row\nGreenfield",
  contactEmail: "help@garden.example.com",
  fromName: "Acme Garden",
  fromEmail: "news@garden.example.com",
  sendingDomain: "garden.example.com",
  brandColor: "#2e7d32",
  oneClickScope: "UNIT",
});

/** Runs `create` twice at once, five times over; each round one succeeds and the other is told the slug is taken. */
async function twiceAtOnce(
  create: (
    slug: string,
  ) => Promise<{ ok: boolean; errors?: { slug?: string } }>,
  prefix: string,
) {
  const slugs = [];
  for (let round = 0; round < 5; round++) {
    const slug = fresh(prefix);
    const answers = await Promise.all([create(slug), create(slug)]);
    expect(answers.filter((answer) => answer.ok)).toHaveLength(1);
    expect(answers.find((answer) => !answer.ok)?.errors?.slug).toMatch(
      /slug .* choose another\.$/,
    );
    slugs.push(slug);
  }
  return slugs;
}

describe("the same slug claimed twice at once", () => {
  it("gives one unit and one 'choose another', and one audit entry", async () => {
    const slugs = await twiceAtOnce(
      (slug) => createUnit(ADMIN, unitForm(slug)),
      "garden",
    );
    const units = await db.businessUnit.findMany({
      where: { slug: { in: slugs } },
      select: { id: true },
    });
    expect(units).toHaveLength(5);
    expect(
      await db.auditEvent.count({
        where: {
          action: "unit.create",
          target: { in: units.map((unit) => `unit:${unit.id}`) },
        },
      }),
    ).toBe(5);
  });

  it("gives one topic and one 'choose another'", async () => {
    const unit = fresh("topics");
    expect(await createUnit(ADMIN, unitForm(unit))).toMatchObject({ ok: true });
    await twiceAtOnce(
      (slug) =>
        createTopic(ADMIN, unit, {
          slug,
          name: "Seed tips",
          offersEmail: "on",
        }),
      "seeds",
    );
  });

  it("gives one service-message category and one 'choose another'", async () => {
    const unit = fresh("categories");
    expect(await createUnit(ADMIN, unitForm(unit))).toMatchObject({ ok: true });
    await twiceAtOnce(
      (slug) =>
        createCategory(ADMIN, unit, {
          slug,
          name: "Renewals",
          reason: "Your plan renews.",
          legalClass: "TRANSACTION",
        }),
      "renewal",
    );
  });
});
