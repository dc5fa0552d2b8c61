import { z } from "zod";
import { recordAudit, type AuditActor } from "~/domain/audit/audit.server.ts";
import { nothingFound } from "~/domain/not-found.ts";
import type { ExemptClass } from "~/generated/prisma/enums.ts";
import { RESERVED_SLUGS } from "~/domain/units/unit-settings.server.ts";
import { againIfClaimedMeanwhile } from "~/utils/row-locks.server.ts";
import { db, type Tx } from "~/utils/db.server.ts";
import { transactionalTemplates } from "~emails/transactional/index.ts";
import { GROUP_CATEGORIES } from "./group-categories.server.ts";

// A unit's exempt (transactional / relationship) categories as admins set them up. Separate
// from topics by design (docs/invariants.md, invariant 3): never unsubscribable, no shared table or code path.
// Archiving stops new sends in the category (the API answers 404) and hides it from the
// preference center's list; the messages already sent stay. A category with no message yet
// can be deleted. Every change writes its audit entry in the same transaction.

const SLUG = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The legal classes of CAN-SPAM's "transactional or relationship message" (15 U.S.C. 7702(17)), in people's words. */
export const EXEMPT_CLASS_LABEL: Record<ExemptClass, string> = {
  TRANSACTION: "Completes or confirms a transaction the person agreed to",
  WARRANTY_SAFETY_SECURITY: "Warranty, recall, safety or security information",
  ACCOUNT_CHANGE_OR_STATEMENT: "Changes to terms, account status or statements of an ongoing relationship",
  EMPLOYMENT: "Employment relationship or related benefits",
  DELIVERY_OF_GOODS_OR_SERVICES: "Delivers goods or services the person is entitled to (updates, upgrades)",
};
const EXEMPT_CLASSES = Object.keys(EXEMPT_CLASS_LABEL) as ExemptClass[];

// The product's own service mail (links, staff invitations) uses the group-level categories.
const GROUP_LEVEL_SLUGS = new Set(GROUP_CATEGORIES.map((category) => category.slug));

/** Unit category slugs the built-in templates send as, e.g. { "renewal": ["renewal-notice"] }. */
export function templatesByCategory(): Record<string, string[]> {
  const byCategory: Record<string, string[]> = {};
  for (const [name, template] of Object.entries(transactionalTemplates)) {
    for (const slug of template.categories) if (!GROUP_LEVEL_SLUGS.has(slug)) (byCategory[slug] ??= []).push(name);
  }
  return byCategory;
}

export type CategoryField = "slug" | "name" | "reason" | "legalClass" | "form";
export type CategoryFieldErrors = Partial<Record<CategoryField, string>>;
export type CategorySettings = { name: string; reason: string; legalClass: ExemptClass };

export class CategoryAdminError extends Error {
  name = "CategoryAdminError";
}

/** The category form as its pages send it (the slug only on the new page); checkCategoryForm checks it. */
export const CategoryForm = z.object({
  slug: z.string().optional(),
  name: z.string().optional(),
  reason: z.string().optional(),
  legalClass: z.string().optional(),
});
export type CategoryFormValues = z.infer<typeof CategoryForm>;

/** Checks the category form; each problem is named on its field. */
export function checkCategoryForm(fields: CategoryFormValues, options: { creating: boolean }): { ok: true; slug: string | null; settings: CategorySettings } | { ok: false; errors: CategoryFieldErrors } {
  const errors: CategoryFieldErrors = {};
  let slug: string | null = null;
  if (options.creating) {
    slug = (fields.slug ?? "").trim().toLowerCase();
    if (!slug) errors.slug = "Give the category a slug, like renewal: the API and the built-in templates name categories by it, so it cannot change later.";
    else if (slug.length < 2 || slug.length > 40) errors.slug = "The slug must be 2 to 40 characters long.";
    else if (!SLUG.test(slug)) errors.slug = "The slug may contain only lower-case letters, digits and hyphens, starting and ending with a letter or digit.";
    else if (RESERVED_SLUGS.has(slug)) errors.slug = `“${slug}” names a page of its own (…/categories/${slug}): choose another slug.`;
  }
  const name = (fields.name ?? "").trim();
  if (!name) errors.name = "Give the category a name: people see it in the preference center's list of messages that keep coming.";
  else if (CONTROL.test(name)) errors.name = "The name must be one line without control characters.";
  else if ([...name].length > 80) errors.name = "Shorten the name to 80 characters or fewer.";
  const reason = (fields.reason ?? "").trim().replace(/\s*\r?\n\s*/g, " ");
  if (!reason) errors.reason = "Give the reason people are shown for why these messages continue after an opt-out.";
  else if (CONTROL.test(reason)) errors.reason = "The reason contains an invisible control character: retype it.";
  else if ([...reason].length > 300) errors.reason = "Shorten the reason to 300 characters or fewer.";
  const legalClass = fields.legalClass as ExemptClass;
  if (!EXEMPT_CLASSES.includes(legalClass)) errors.legalClass = "Choose the legal class that makes these messages exempt from opt-outs.";
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, slug, settings: { name, reason, legalClass } };
}

async function unitBySlug(client: Tx | typeof db, unitSlug: string) {
  return (await client.businessUnit.findUnique({ where: { slug: unitSlug }, select: { id: true, slug: true, displayName: true } })) ?? nothingFound(`The unit “${unitSlug}”`);
}

async function categoryOf(client: Tx | typeof db, unitSlug: string, categorySlug: string) {
  const unit = await unitBySlug(client, unitSlug);
  const category = await client.exemptCategory.findUnique({ where: { unitId_slug: { unitId: unit.id, slug: categorySlug } } });
  return { unit, category: category ?? nothingFound(`The category “${categorySlug}” of ${unit.slug}`) };
}

export async function categoryForAdmin(unitSlug: string, categorySlug: string) {
  const { unit, category } = await categoryOf(db, unitSlug, categorySlug);
  const messages = await db.transactionalMessage.count({ where: { categoryId: category.id } });
  return { unit, category, messages, templates: templatesByCategory()[category.slug] ?? [] };
}

export async function createCategory(actor: AuditActor, unitSlug: string, form: CategoryFormValues) {
  const parsed = checkCategoryForm(form, { creating: true });
  if (!parsed.ok) return parsed;
  const slug = parsed.slug!;
  return againIfClaimedMeanwhile(() =>
    db.$transaction(async (tx) => {
      const unit = await unitBySlug(tx, unitSlug);
      if (await tx.exemptCategory.findUnique({ where: { unitId_slug: { unitId: unit.id, slug } }, select: { id: true } })) {
        return { ok: false as const, errors: { slug: `${unit.displayName} already has a category with the slug ${slug}: choose another.` } as CategoryFieldErrors };
      }
      const category = await tx.exemptCategory.create({ data: { unitId: unit.id, slug, ...parsed.settings }, select: { id: true } });
      await recordAudit(tx, actor, { action: "category.create", target: `category:${category.id}`, detail: { unit: unit.slug, slug, name: parsed.settings.name, legalClass: parsed.settings.legalClass } });
      return { ok: true as const, slug, changed: [] as string[] };
    }),
  );
}

export async function updateCategory(actor: AuditActor, unitSlug: string, categorySlug: string, form: CategoryFormValues) {
  const parsed = checkCategoryForm(form, { creating: false });
  if (!parsed.ok) return parsed;
  return db.$transaction(async (tx) => {
    const { unit, category } = await categoryOf(tx, unitSlug, categorySlug);
    const changed = (Object.keys(parsed.settings) as (keyof CategorySettings)[]).filter((field) => category[field] !== parsed.settings[field]);
    if (changed.length > 0) {
      await tx.exemptCategory.update({ where: { id: category.id }, data: parsed.settings });
      await recordAudit(tx, actor, { action: "category.update", target: `category:${category.id}`, detail: { unit: unit.slug, slug: category.slug, changed } });
    }
    return { ok: true as const, slug: category.slug, changed };
  });
}

export async function archiveCategory(actor: AuditActor, unitSlug: string, categorySlug: string, now = new Date()) {
  return db.$transaction(async (tx) => {
    const { unit, category } = await categoryOf(tx, unitSlug, categorySlug);
    if (category.archivedAt) return { changed: false };
    await tx.exemptCategory.update({ where: { id: category.id }, data: { archivedAt: now } });
    await recordAudit(tx, actor, { action: "category.archive", target: `category:${category.id}`, detail: { unit: unit.slug, slug: category.slug } });
    return { changed: true };
  });
}

export async function unarchiveCategory(actor: AuditActor, unitSlug: string, categorySlug: string) {
  return db.$transaction(async (tx) => {
    const { unit, category } = await categoryOf(tx, unitSlug, categorySlug);
    if (!category.archivedAt) return { changed: false };
    await tx.exemptCategory.update({ where: { id: category.id }, data: { archivedAt: null } });
    await recordAudit(tx, actor, { action: "category.unarchive", target: `category:${category.id}`, detail: { unit: unit.slug, slug: category.slug } });
    return { changed: true };
  });
}

/** Deletes a category no message was ever sent in; one with messages is archived instead. */
export async function deleteCategory(actor: AuditActor, unitSlug: string, categorySlug: string) {
  return db.$transaction(async (tx) => {
    const { unit, category } = await categoryOf(tx, unitSlug, categorySlug);
    if ((await tx.transactionalMessage.count({ where: { categoryId: category.id } })) > 0) {
      throw new CategoryAdminError("Messages were sent in this category, so it cannot be deleted: archive it instead.");
    }
    await tx.exemptCategory.delete({ where: { id: category.id } });
    await recordAudit(tx, actor, { action: "category.delete", target: `category:${category.id}`, detail: { unit: unit.slug, slug: category.slug, name: category.name } });
  });
}
