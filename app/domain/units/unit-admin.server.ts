import crypto from "node:crypto";
import { recordAudit, type AuditActor } from "~/domain/audit/audit.server.ts";
import { nothingFound } from "~/domain/not-found.ts";
import { dkimDnsRecord, keyFingerprint, type DkimDnsRecord } from "~/domain/mail/dkim.server.ts";
import { againIfClaimedMeanwhile } from "~/utils/row-locks.server.ts";
import { db } from "~/utils/db.server.ts";
import { offeredChannels } from "~/domain/consent/channels.ts";
import { senderDnsRecords } from "./sender-dns.server.ts";
import { missingSenderFacts, unitBounceDomain } from "./sender-facts.server.ts";
import { bounceDomainClash, checkUnitForm, ownMailDomain, type UnitFieldErrors, type UnitFormValues, type UnitSettings } from "./unit-settings.server.ts";

// Business units as admins set them up: list, create, edit. Every change
// writes its audit entry in the same transaction. The DKIM private key never leaves this
// module: pages get whether one is stored, its size and its public key's fingerprint.

const SETTINGS_FIELDS = [
  "displayName",
  "legalName",
  "postalAddress",
  "contactEmail",
  "contactPhone",
  "contactUrl",
  "fromName",
  "fromEmail",
  "serviceFromEmail",
  "replyTo",
  "sendingDomain",
  "bounceDomain",
  "dkimDomain",
  "dkimSelector",
  "brandColor",
  "logoUrl",
  "oneClickScope",
] as const satisfies readonly (keyof UnitSettings)[];

/** Whether a unit can send a campaign: it needs its sender facts first, then an open topic. */
export type SendReadiness = "ready" | "needs-sender-facts" | "needs-topic";

function sendReadiness(missing: string[], openTopics: number): SendReadiness {
  if (missing.length > 0) return "needs-sender-facts";
  return openTopics === 0 ? "needs-topic" : "ready";
}

/** Every unit with what it still needs to send, and how many topics and categories it has. */
export async function listUnitsForAdmin() {
  const units = await db.businessUnit.findMany({
    orderBy: { displayName: "asc" },
    include: { topics: { select: { archivedAt: true } }, exemptCategories: { select: { archivedAt: true } } },
  });
  return units.map(({ topics, exemptCategories, dkimPrivateKey, ...unit }) => {
    const missing = missingSenderFacts({ ...unit, dkimPrivateKey });
    const openTopics = topics.filter((t) => !t.archivedAt).length;
    const openCategories = exemptCategories.filter((c) => !c.archivedAt).length;
    return {
      id: unit.id,
      slug: unit.slug,
      displayName: unit.displayName,
      fromEmail: unit.fromEmail,
      sendingDomain: unit.sendingDomain,
      brandColor: unit.brandColor,
      dkim: dkimPrivateKey !== null,
      missing,
      readiness: sendReadiness(missing, openTopics),
      topics: { open: openTopics, archived: topics.length - openTopics },
      categories: { open: openCategories, archived: exemptCategories.length - openCategories },
    };
  });
}

export type StoredDkimKey = { bits: number; fingerprint: string; record: DkimDnsRecord | null };

/** What the page may show of a stored key: never the key itself. */
function describeStoredKey(unit: { dkimPrivateKey: string | null; dkimSelector: string | null; dkimDomain: string | null; sendingDomain: string }): StoredDkimKey | null {
  if (!unit.dkimPrivateKey) return null;
  try {
    const publicKey = crypto.createPublicKey(crypto.createPrivateKey(unit.dkimPrivateKey));
    return {
      bits: publicKey.asymmetricKeyDetails?.modulusLength ?? 0,
      fingerprint: keyFingerprint(publicKey),
      record: unit.dkimSelector ? dkimDnsRecord(publicKey, unit.dkimSelector, unit.dkimDomain || unit.sendingDomain) : null,
    };
  } catch {
    // A key written by other means that does not parse: the page says so and offers to replace it.
    return { bits: 0, fingerprint: "unreadable", record: null };
  }
}

/** One unit for its edit page, with its topics and exempt categories and how much history each has; NotFoundError when unknown. */
export async function unitForAdmin(slug: string) {
  const unit = await db.businessUnit.findUnique({
    where: { slug },
    include: {
      topics: { orderBy: [{ archivedAt: { sort: "asc", nulls: "first" } }, { name: "asc" }] },
      exemptCategories: { orderBy: [{ archivedAt: { sort: "asc", nulls: "first" } }, { name: "asc" }] },
    },
  });
  if (!unit) nothingFound(`The unit “${slug}”`);
  const [subscribed, campaigns, messages] = await Promise.all([
    db.subscription.groupBy({ by: ["topicId"], where: { topic: { unitId: unit.id }, status: "SUBSCRIBED" }, _count: { _all: true } }),
    db.campaign.groupBy({ by: ["topicId"], where: { unitId: unit.id }, _count: { _all: true } }),
    db.transactionalMessage.groupBy({ by: ["categoryId"], where: { category: { unitId: unit.id } }, _count: { _all: true } }),
  ]);
  const subscribedBy = new Map(subscribed.map((row) => [row.topicId, row._count._all]));
  const campaignsBy = new Map(campaigns.map((row) => [row.topicId, row._count._all]));
  const messagesBy = new Map(messages.map((row) => [row.categoryId, row._count._all]));
  const { dkimPrivateKey, topics, exemptCategories, ...settings } = unit;
  const missing = missingSenderFacts({ ...settings, dkimPrivateKey });
  return {
    unit: settings,
    dkimKey: describeStoredKey(unit),
    dns: senderDnsRecords(unit),
    missing,
    readiness: sendReadiness(missing, topics.filter((t) => !t.archivedAt).length),
    topics: topics.map((topic) => ({
      id: topic.id,
      slug: topic.slug,
      name: topic.name,
      description: topic.description,
      channels: offeredChannels(topic),
      archivedAt: topic.archivedAt,
      subscribed: subscribedBy.get(topic.id) ?? 0,
      campaigns: campaignsBy.get(topic.id) ?? 0,
    })),
    categories: exemptCategories.map((category) => ({
      id: category.id,
      slug: category.slug,
      name: category.name,
      reason: category.reason,
      legalClass: category.legalClass,
      archivedAt: category.archivedAt,
      messages: messagesBy.get(category.id) ?? 0,
    })),
  };
}

export type UnitSaveResult = { ok: true; slug: string; changed: string[]; warnings: string[] } | { ok: false; errors: UnitFieldErrors };

/** Creates a unit from the admin form; it can send as soon as it has a topic (missingSenderFacts finds nothing). */
export async function createUnit(actor: AuditActor, form: UnitFormValues): Promise<UnitSaveResult> {
  const parsed = checkUnitForm(form, { creating: true, storedKey: false });
  if (!parsed.ok) return parsed;
  const slug = parsed.slug!;
  const key = parsed.key.kind === "replace" ? parsed.key.key : null;
  return againIfClaimedMeanwhile(() =>
    db.$transaction(async (tx) => {
      if (await tx.businessUnit.findUnique({ where: { slug }, select: { id: true } })) {
        return { ok: false as const, errors: { slug: `There is already a unit with the slug ${slug}: choose another.` } };
      }
      const clash = await bounceDomainClashWithOthers(tx, null, parsed.settings);
      if (clash) return { ok: false as const, errors: clash };
      const unit = await tx.businessUnit.create({ data: { slug, ...parsed.settings, dkimPrivateKey: key?.pem ?? null }, select: { id: true } });
      await recordAudit(tx, actor, {
        action: "unit.create",
        target: `unit:${unit.id}`,
        detail: { slug, displayName: parsed.settings.displayName, ...(key ? { dkimPrivateKey: `stored (${key.fingerprint})` } : {}) },
      });
      return { ok: true as const, slug, changed: [], warnings: parsed.warnings };
    }),
  );
}

/**
 * Saves the edit form. The slug never changes (links and the CLI use it). Only fields that
 * differ are written and named in the audit entry; the key appears there as
 * "dkimPrivateKey: replaced" or "dkimPrivateKey: removed", never itself.
 */
export async function updateUnit(actor: AuditActor, slug: string, form: UnitFormValues): Promise<UnitSaveResult> {
  const stored = await db.businessUnit.findUnique({ where: { slug }, select: { id: true, dkimPrivateKey: true } });
  if (!stored) nothingFound(`The unit “${slug}”`);
  const parsed = checkUnitForm(form, { creating: false, storedKey: stored.dkimPrivateKey !== null });
  if (!parsed.ok) return parsed;
  return db.$transaction(async (tx) => {
    const current = await tx.businessUnit.findUniqueOrThrow({ where: { id: stored.id } });
    const clash = await bounceDomainClashWithOthers(tx, current.id, parsed.settings);
    if (clash) return { ok: false as const, errors: clash };
    const data: Partial<UnitSettings> & { dkimPrivateKey?: string | null } = {};
    const changed: string[] = [];
    for (const field of SETTINGS_FIELDS) {
      if (current[field] !== parsed.settings[field]) {
        (data as Record<string, unknown>)[field] = parsed.settings[field];
        changed.push(field);
      }
    }
    if (parsed.key.kind === "replace" && parsed.key.key.pem !== current.dkimPrivateKey) {
      data.dkimPrivateKey = parsed.key.key.pem;
      changed.push(current.dkimPrivateKey ? "dkimPrivateKey: replaced" : "dkimPrivateKey: added");
    } else if (parsed.key.kind === "remove" && current.dkimPrivateKey) {
      data.dkimPrivateKey = null;
      changed.push("dkimPrivateKey: removed");
    }
    if (changed.length === 0) return { ok: true as const, slug, changed, warnings: parsed.warnings };
    await tx.businessUnit.update({ where: { id: current.id }, data });
    await recordAudit(tx, actor, { action: "unit.update", target: `unit:${current.id}`, detail: { slug, changed } });
    return { ok: true as const, slug, changed, warnings: parsed.warnings };
  });
}

type UnitReader = Pick<typeof db, "businessUnit">;

/**
 * Bounce domains across units: several units may share one (its addresses are signed and name
 * their delivery), but no unit's bounce domain may be another unit's sending or address domain,
 * whose mail its MX would swallow.
 */
async function bounceDomainClashWithOthers(tx: UnitReader, unitId: number | null, settings: UnitSettings): Promise<UnitFieldErrors | null> {
  const others = await tx.businessUnit.findMany({
    where: unitId === null ? {} : { id: { not: unitId } },
    select: { slug: true, sendingDomain: true, bounceDomain: true, fromEmail: true, serviceFromEmail: true, replyTo: true, contactEmail: true },
  });
  const ours = unitBounceDomain(settings);
  const ourMail = { sendingDomain: settings.sendingDomain, addresses: [settings.fromEmail, settings.serviceFromEmail, settings.replyTo, settings.contactEmail] };
  for (const other of others) {
    const clash = ownMailDomain(ours, { sendingDomain: other.sendingDomain, addresses: [other.fromEmail, other.serviceFromEmail, other.replyTo, other.contactEmail] });
    if (clash) return { bounceDomain: bounceDomainClash(ours, clash, settings.sendingDomain, other.slug) };
    const theirs = unitBounceDomain(other);
    if (ownMailDomain(theirs, ourMail)) {
      return { sendingDomain: `${theirs} is the bounce domain of the unit ${other.slug}: its MX points at the bounce server, which refuses all other mail, so this unit cannot send from it or receive mail there.` };
    }
  }
  return null;
}
