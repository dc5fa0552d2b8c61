import crypto from "node:crypto";
import { EmailSchema } from "~/domain/consent/email.ts";
import { getEnv } from "~/utils/env.server.ts";
import { isTransactionalTemplateName, transactionalTemplates } from "~emails/transactional/index.ts";
import { GROUP_CATEGORIES } from "./group-categories.server.ts";
import { findForeignLink, hostOf, normalizeHost, type LinkHosts } from "./links-in-data.ts";
import { sendTransactional, TransactionalRequestError, type TransactionalResult } from "./send.server.ts";

// What a unit's own systems may send through the API with the unit's key. Mail goes out from
// our domain, so a key must not be able to send the product's own account mail (sign-in links,
// resets, staff invitations) or point people at sites that are neither ours nor the unit's.

const GROUP_SLUGS = new Set(GROUP_CATEGORIES.map((category) => category.slug));

type SendingUnit = { id: number; slug: string; sendingDomain: string; dkimDomain: string | null; contactUrl: string | null };

export type UnitRequest = { category: string; to: string; template: string; data: Record<string, unknown>; idempotencyKey: string };

export async function sendUnitRequest(unit: SendingUnit, request: UnitRequest): Promise<TransactionalResult> {
  checkNotGroupMail(request);
  const foreign = findForeignLink(request.data, linkHostsOf(unit));
  if (foreign) throw new TransactionalRequestError(foreign.field, foreign.message);
  return sendTransactional({
    unitId: unit.id,
    category: request.category,
    to: request.to,
    template: request.template,
    data: request.data,
    // Keys are scoped to the unit, so two units can never collide or read each other's messages.
    idempotencyKey: `api:${unit.id}:${request.idempotencyKey}`,
    requestHash: requestHashOf(unit, request),
  });
}

function checkNotGroupMail(request: UnitRequest) {
  if (GROUP_SLUGS.has(request.category)) {
    throw new TransactionalRequestError(
      "category",
      `"${request.category}" is one of the group's own categories (${[...GROUP_SLUGS].join(", ")}): only the Preference Center sends in them, not a unit's API key.`,
    );
  }
  if (isTransactionalTemplateName(request.template)) {
    const groupOnly = (transactionalTemplates[request.template].categories as readonly string[]).some((slug) => GROUP_SLUGS.has(slug));
    if (groupOnly) {
      throw new TransactionalRequestError(
        "template",
        `The template "${request.template}" is the group's own account mail: only the Preference Center sends it, not a unit's API key.`,
      );
    }
  }
}

/** Our own site, and the domains the unit sends from or names as its website. */
export function linkHostsOf(unit: SendingUnit): LinkHosts {
  const publicHost = hostOf(getEnv().PUBLIC_URL);
  const contactHost = hostOf(unit.contactUrl);
  const domains = [unit.sendingDomain, unit.dkimDomain].filter((d): d is string => Boolean(d)).map(normalizeHost);
  return { hosts: [publicHost, contactHost].filter((h): h is string => h !== null), domains };
}

/** The request as a canonical text (keys sorted, address normalised), hashed: two bodies meaning one request hash alike. */
export function requestHashOf(unit: { id: number }, request: UnitRequest): string {
  const to = EmailSchema.safeParse(request.to);
  const canonical = canonicalJson({
    unitId: unit.id,
    category: request.category,
    template: request.template,
    to: to.success ? to.data : request.to,
    data: request.data,
  });
  return crypto.createHash("sha256").update(canonical).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
