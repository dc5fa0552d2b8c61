// The one send path for transactional / relationship mail (docs/invariants.md, invariant 3).
// It never reads subscriptions, opt-outs, snoozes or sharing consents and never writes
// consent: only HARD_BOUNCE and ERASED suppressions stop it (ERASED bar one message: the
// sign-up confirmation of a person coming back, see reachesErasedAddress).

import type { ZodError } from "zod";
import { db } from "~/utils/db.server.ts";
import { addressBlock, serviceMailRefusal } from "~/domain/consent/service-mail-block.server.ts";
import { EmailSchema } from "~/domain/consent/email.ts";
import {
  isTransactionalTemplateName,
  TEMPLATES_IN_EVERY_LANGUAGE,
  transactionalTemplates,
  type TransactionalTemplateName,
} from "~emails/transactional/index.ts";
import { languageOfLocale, type Language } from "~/i18n/languages.ts";
import { deliverTransactional } from "./deliver.server.ts";

/** Policy changes must be announced this long before they take effect. */
export const POLICY_NOTICE_DAYS = 30;
const DAY_MS = 86_400_000;

export type TransactionalRequest = {
  /** null: the group's own account mail, sent as the group identity (ADR 044), never by API keys. */
  unitId: number | null;
  /** Slug of an exempt category of the unit, or of a group-level category. */
  category: string;
  to: string;
  template: TransactionalTemplateName | string;
  data: unknown;
  /** Same key, same message: a repeat returns the first message and sends nothing. */
  idempotencyKey: string;
  /**
   * Only the sign-up confirmation: a person who erased their account asked to come back, and
   * this message is how they prove the address. ERASED does not stop it; HARD_BOUNCE does.
   */
  reachesErasedAddress?: boolean;
  /**
   * The language to write it in: for a sign-in or sign-up, the page's that asked (ADR 047).
   * Without it, the contact's stored choice (Contact.locale), else English.
   */
  language?: Language;
  /** Hash of the request as the caller received it: the key used again with another request is refused (409). */
  requestHash?: string;
  now?: Date;
};

export type TransactionalResult = {
  id: number;
  status: "QUEUED" | "SENT" | "FAILED" | "REFUSED";
  /** True when the idempotency key had been used: this is the first message, not a new one. */
  repeated: boolean;
  refusedReason: string | null;
};

/** A request that cannot be sent as asked; `field` names the input at fault (for a 4xx answer). */
export class TransactionalRequestError extends Error {
  name = "TransactionalRequestError";
  constructor(
    readonly field: string,
    message: string,
    readonly status: 404 | 409 | 422 = 422,
  ) {
    super(message);
  }
}

/**
 * Records the message and hands it to the service-mail transport at once. Resolves once the
 * message is stored; delivery failures are retried by the queue (see queue.server.ts).
 */
export async function sendTransactional(request: TransactionalRequest): Promise<TransactionalResult> {
  const now = request.now ?? new Date();
  const earlier = await findByIdempotencyKey(request);
  if (earlier) return earlier;

  const category = await findCategory(request.unitId, request.category);
  const template = checkTemplate(request.template, category.slug);
  const data = validateData(template, request.data);
  if (template === "policy-change-notice") checkPolicyNotice(category.effectiveAt, data, now);
  const to = EmailSchema.safeParse(request.to);
  if (!to.success) throw new TransactionalRequestError("to", to.error.issues[0].message);

  const refusedReason = await suppressionReason(to.data, request.reachesErasedAddress ?? false);
  const contact = await db.contact.findUnique({ where: { email: to.data }, select: { id: true, locale: true } });
  const language = TEMPLATES_IN_EVERY_LANGUAGE.has(template) ? (request.language ?? languageOfLocale(contact?.locale) ?? null) : null;
  let message;
  try {
    message = await db.transactionalMessage.create({
      data: {
        unitId: request.unitId,
        categoryId: category.id,
        contactId: contact?.id ?? null,
        toEmail: to.data,
        template,
        data: JSON.stringify(data),
        language,
        idempotencyKey: request.idempotencyKey,
        requestHash: request.requestHash ?? null,
        status: refusedReason ? "REFUSED" : "QUEUED",
        refusedReason,
        createdAt: now,
      },
      select: { id: true, status: true, refusedReason: true },
    });
  } catch (error) {
    // Two requests with one key at the same moment: the loser answers with the winner's message.
    const winner = isUniqueViolation(error) ? await findByIdempotencyKey(request) : null;
    if (winner) return winner;
    throw error;
  }
  if (message.status === "QUEUED") {
    // Straight to the transport, not behind anything else; the queue retries if this fails.
    await deliverTransactional(message.id).catch(() => undefined);
  }
  const current = await db.transactionalMessage.findUniqueOrThrow({ where: { id: message.id }, select: { status: true } });
  return { id: message.id, status: current.status, repeated: false, refusedReason: message.refusedReason };
}

async function findByIdempotencyKey(request: { idempotencyKey: string; requestHash?: string }): Promise<TransactionalResult | null> {
  const row = await db.transactionalMessage.findUnique({
    where: { idempotencyKey: request.idempotencyKey },
    select: { id: true, status: true, refusedReason: true, requestHash: true },
  });
  if (!row) return null;
  // A message stored before requests were hashed cannot be compared: it answers as before.
  if (request.requestHash && row.requestHash && row.requestHash !== request.requestHash) {
    throw new TransactionalRequestError(
      "idempotencyKey",
      `This idempotency key was already used for a different request (message ${row.id}). ` +
        "Send exactly the same request to get its answer again, or use a new key for a new message.",
      409,
    );
  }
  return { id: row.id, status: row.status, refusedReason: row.refusedReason, repeated: true };
}

async function findCategory(unitId: number | null, slug: string) {
  const category = await db.exemptCategory.findFirst({
    // The group's own mail is sent in group categories only.
    where: { slug, archivedAt: null, OR: unitId === null ? [{ unitId: null }] : [{ unitId }, { unitId: null }] },
    // A unit's own category wins over a group-level one of the same slug.
    orderBy: { unitId: { sort: "desc", nulls: "last" } },
  });
  if (!category) throw new TransactionalRequestError("category", `There is no exempt category "${slug}" for this unit.`, 404);
  return category;
}

function checkTemplate(name: string, categorySlug: string): TransactionalTemplateName {
  if (!isTransactionalTemplateName(name)) {
    throw new TransactionalRequestError("template", `There is no transactional template "${name}".`, 404);
  }
  const allowed: readonly string[] = transactionalTemplates[name].categories;
  if (!allowed.includes(categorySlug)) {
    throw new TransactionalRequestError(
      "template",
      `The template "${name}" cannot be sent as "${categorySlug}"; it belongs to: ${allowed.join(", ")}.`,
    );
  }
  return name;
}

function validateData(template: TransactionalTemplateName, data: unknown): Record<string, unknown> {
  const result = transactionalTemplates[template].schema.safeParse(data ?? {});
  if (!result.success) throw dataError(result.error);
  return result.data as Record<string, unknown>;
}

function dataError(error: ZodError): TransactionalRequestError {
  const issue = error.issues[0];
  const field = ["data", ...issue.path.map(String)].join(".");
  return new TransactionalRequestError(field, `${field}: ${issue.message}`);
}

/** A policy-change notice goes out at least 30 days before the category's effective date. */
function checkPolicyNotice(effectiveAt: Date | null, data: Record<string, unknown>, now: Date) {
  if (!effectiveAt) {
    throw new TransactionalRequestError("category", "This policy-change category has no effective date set yet.");
  }
  const days = Math.floor((effectiveAt.getTime() - now.getTime()) / DAY_MS);
  if (days < POLICY_NOTICE_DAYS) {
    throw new TransactionalRequestError(
      "category",
      `The policy change takes effect on ${effectiveAt.toISOString().slice(0, 10)}, ${Math.max(days, 0)} days from now; ` +
        `notices must go out at least ${POLICY_NOTICE_DAYS} days before.`,
    );
  }
  const stated = String(data.effectiveDate ?? "");
  if (stated.slice(0, 10) !== effectiveAt.toISOString().slice(0, 10)) {
    throw new TransactionalRequestError(
      "data.effectiveDate",
      `data.effectiveDate must be the category's effective date, ${effectiveAt.toISOString().slice(0, 10)}.`,
    );
  }
}

async function suppressionReason(email: string, reachesErasedAddress: boolean): Promise<string | null> {
  const block = await addressBlock(email, { reachesErasedAddress });
  return block ? serviceMailRefusal(block) : null;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "P2002";
}
