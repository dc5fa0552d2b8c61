// Suppressions as the admin sees them: address-level blocks on email (docs/design.md). Every add and
// remove goes through the consent core (a SUPPRESS / UNSUPPRESS ConsentEvent, source ADMIN)
// and writes an admin audit entry in the same transaction. See docs/decisions/013-*.

import { stringify } from "csv-stringify/sync";
import type { Prisma } from "~/generated/prisma/client.ts";
import type { SuppressionReason } from "~/generated/prisma/enums.ts";
import { recordAudit, type AuditActor } from "~/domain/audit/audit.server.ts";
import { addressHash } from "~/domain/consent/address-hash.server.ts";
import { isErasedAddress } from "~/domain/consent/contacts.server.ts";
import { applyConsentChange, type ConsentContext } from "~/domain/consent/changes.server.ts";
import { applyImportedSuppressions } from "~/domain/consent/suppression-batch.server.ts";
import { EmailSchema, maskEmail, normalizeEmail } from "~/domain/consent/email.ts";
import { db, type Db, type Tx } from "~/utils/db.server.ts";
import { containsText } from "~/utils/text-search.server.ts";
import { inertCell } from "~/utils/csv-cells.ts";
import { EXPORT_COLUMNS, parseSuppressionFile, reasonInFile, REASON_LABEL, type BadLine, type ImportableReason } from "./suppression-csv.ts";

export const SUPPRESSIONS_PAGE_SIZE = 50;

/** A change the admin asked for cannot be made (not removable, erased address …): a 4xx with this message. */
export class SuppressionError extends Error {
  name = "SuppressionError";
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 = 409,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The entries an admin may remove: their own, and repeated soft bounces (the mailbox may work again). */
export const REMOVABLE_REASONS = ["MANUAL", "SOFT_BOUNCE"] as const;
export type RemovableReason = (typeof REMOVABLE_REASONS)[number];
const isRemovable = (reason: SuppressionReason): reason is RemovableReason => (REMOVABLE_REASONS as readonly string[]).includes(reason);

/** Why the other entries cannot be removed from the admin pages: shown beside each of them. */
export const WHY_NOT_REMOVABLE: Record<Exclude<SuppressionReason, RemovableReason>, string> = {
  HARD_BOUNCE:
    "Mail to this address bounced permanently. It also stops service mail such as tax notices, and sending to a dead address harms every unit's delivery, so it cannot be removed here.",
  COMPLAINT: "The person reported our mail as spam. Staff cannot override that, so it cannot be removed here.",
  ERASED:
    "The person asked to be erased. This entry keeps only a hash of the address so it is never added again; removing it would break that promise.",
};

/** What a soft-bounce entry means, and why an admin may remove it (unlike a hard bounce). */
export const SOFT_BOUNCE_EXPLAINED =
  "Mail to this address kept bouncing for a while (mailbox full or unavailable), so promotional mail stopped; service mail still goes. The mailbox may have been emptied since, so an admin may remove the entry.";

/** Who acts: the audit actor and the consent context copied onto the ledger events. */
export type SuppressionActor = { audit: AuditActor; consent: ConsentContext };

export function adminActor(audit: AuditActor): SuppressionActor {
  return {
    audit,
    consent: { source: "ADMIN", actor: audit.userId === null ? audit.email : `user:${audit.userId}`, ip: audit.ip, userAgent: audit.userAgent },
  };
}

export type SuppressionFilter = { address?: string; reason?: SuppressionReason };

export type SuppressionListEntry = {
  id: number;
  /** Null for ERASED entries (and entries of an erased address): only the hash is kept. */
  email: string | null;
  reason: SuppressionReason;
  note: string | null;
  createdAt: Date;
  contactId: number | null;
  /** Only a manual or soft-bounce entry whose address is still known can be removed (removeSuppression). */
  removable: boolean;
};

/**
 * Newest first, a page at a time (keyset on id). A complete address is looked up by its keyed
 * hash, so an erased address is found too; anything shorter matches part of the stored
 * addresses (which erased entries do not have).
 */
export async function listSuppressions(filter: SuppressionFilter, beforeId?: number, client: Db = db) {
  const search = filter.address?.trim() ?? "";
  const exact = search ? EmailSchema.safeParse(search) : null;
  const where: Prisma.SuppressionWhereInput = {
    ...(exact?.success ? { emailHash: addressHash(exact.data) } : search ? { email: containsText(normalizeEmail(search)) } : {}),
    ...(filter.reason ? { reason: filter.reason } : {}),
    ...(beforeId ? { id: { lt: beforeId } } : {}),
  };
  const rows = await client.suppression.findMany({
    where,
    orderBy: { id: "desc" },
    take: SUPPRESSIONS_PAGE_SIZE + 1,
    select: { id: true, email: true, reason: true, note: true, createdAt: true, contactId: true },
  });
  return {
    entries: rows.slice(0, SUPPRESSIONS_PAGE_SIZE).map((row): SuppressionListEntry => ({ ...row, removable: isRemovable(row.reason) && row.email !== null })),
    nextBeforeId: rows.length > SUPPRESSIONS_PAGE_SIZE ? rows[SUPPRESSIONS_PAGE_SIZE - 1].id : null,
    exactAddress: exact?.success ? exact.data : null,
  };
}

/** How many entries of each reason there are. */
export async function suppressionCounts(client: Db = db): Promise<Record<SuppressionReason, number>> {
  const groups = await client.suppression.groupBy({ by: ["reason"], _count: { _all: true } });
  const counts: Record<SuppressionReason, number> = { MANUAL: 0, COMPLAINT: 0, HARD_BOUNCE: 0, SOFT_BOUNCE: 0, ERASED: 0 };
  for (const group of groups) counts[group.reason] = group._count._all;
  return counts;
}

/** Adds a MANUAL suppression with the admin's note. Adding one already in force is refused (409): nothing to do. */
export async function addManualSuppression(actor: SuppressionActor, input: { email: string; note: string }): Promise<{ id: number; email: string }> {
  const email = normalizeEmail(input.email);
  const emailHash = addressHash(email);
  return db.$transaction(async (tx) => {
    // Storing an erased address again, even in a suppression, would undo the erasure.
    if (await isErasedAddress(email, tx)) {
      throw new SuppressionError(
        "This address was erased at the person's request. It is already blocked for every message, and is not stored again.",
        409,
        "email",
      );
    }
    const existing = await tx.suppression.findUnique({ where: { emailHash_reason: { emailHash, reason: "MANUAL" } }, select: { id: true } });
    if (existing) throw new SuppressionError(`${email} already has a manual suppression.`, 409, "email");
    const { eventId } = await applyConsentChange({ kind: "suppress", email, reason: "MANUAL", note: input.note }, actor.consent, tx);
    const row = await tx.suppression.findUniqueOrThrow({
      where: { emailHash_reason: { emailHash, reason: "MANUAL" } },
      select: { id: true, contactId: true },
    });
    await recordAudit(tx, actor.audit, {
      action: "suppression.add",
      target: `suppression:${row.id}`,
      // A masked address: the audit log outlives an erasure, so it never holds the whole address.
      detail: { address: maskEmail(email), reason: "MANUAL", contactId: row.contactId, ledgerEventId: eventId },
    });
    return { id: row.id, email };
  });
}

/**
 * Removes a manual or soft-bounce suppression. Other reasons are refused with the reason why
 * (409). Afterwards the person gets promotional email again only where their subscriptions
 * allow it (eligibility.ts); other suppressions of the address stay in force.
 */
export async function removeSuppression(actor: SuppressionActor, id: number): Promise<{ email: string; reason: RemovableReason; stillSuppressedBy: SuppressionReason[] }> {
  return db.$transaction(async (tx) => {
    const row = await tx.suppression.findUnique({ where: { id }, select: { id: true, email: true, emailHash: true, reason: true, contactId: true } });
    if (!row) throw new SuppressionError("That suppression is no longer there: it may have been removed already.", 404);
    const reason = row.reason;
    if (!isRemovable(reason)) throw new SuppressionError(`This ${REASON_LABEL[reason].toLowerCase()} entry cannot be removed. ${WHY_NOT_REMOVABLE[reason]}`, 409);
    if (row.email === null) {
      throw new SuppressionError("This address was erased at the person's request, so its entries stay: they keep only a hash of it.", 409);
    }
    const { eventId } = await applyConsentChange({ kind: "unsuppress", email: row.email, reason }, actor.consent, tx);
    await recordAudit(tx, actor.audit, {
      action: "suppression.remove",
      target: `suppression:${row.id}`,
      detail: { address: maskEmail(row.email), reason, contactId: row.contactId, ledgerEventId: eventId },
    });
    const others = await tx.suppression.findMany({ where: { emailHash: row.emailHash }, select: { reason: true }, orderBy: { id: "asc" } });
    return { email: row.email, reason, stillSuppressedBy: others.map((o) => o.reason) };
  });
}

export type SuppressionImportReport = {
  /** Data lines read (the header and blank lines not counted). */
  rows: number;
  added: number;
  addedByReason: Record<ImportableReason, number>;
  /** The same address and reason was already suppressed (or came earlier in the file): nothing written. */
  alreadySuppressed: number;
  /** Erased addresses: already blocked, and never stored again. */
  erased: number;
  bad: number;
  badLines: BadLine[];
};

export const BAD_LINES_SHOWN = 50;
// The whole file lands in one transaction (ADR 013): IMPORT_MAX_ROWS lines take about a second.
const IMPORT_TRANSACTION_MS = 30_000;

/**
 * Imports a suppression file: every good line not already in force becomes a suppression
 * through the consent core; bad lines are reported by line number and change nothing. The
 * lines and the audit entry (with the counts) land in one transaction. Running the same file
 * again writes no suppression and no ledger event, only its audit entry saying so.
 */
export async function importSuppressions(
  actor: SuppressionActor,
  file: { name: string; content: string | Buffer },
): Promise<SuppressionImportReport> {
  const parsed = parseSuppressionFile(file.content);
  const report: SuppressionImportReport = {
    rows: parsed.rows.length + parsed.bad.length,
    added: 0,
    addedByReason: { MANUAL: 0, COMPLAINT: 0, HARD_BOUNCE: 0, SOFT_BOUNCE: 0 },
    alreadySuppressed: 0,
    erased: 0,
    bad: parsed.bad.length,
    badLines: parsed.bad.slice(0, BAD_LINES_SHOWN),
  };
  await db.$transaction(
    async (tx) => {
      const outcomes = await applyImportedSuppressions(
        tx,
        parsed.rows.map((row) => ({ email: row.email, reason: row.reason, note: row.note ?? `Imported from ${file.name}` })),
        actor.consent,
      );
      outcomes.forEach((outcome, i) => {
        if (outcome === "ADDED") {
          report.added++;
          report.addedByReason[parsed.rows[i].reason]++;
        } else if (outcome === "ERASED") report.erased++;
        else report.alreadySuppressed++;
      });
      await recordAudit(tx, actor.audit, {
        action: "suppression.import",
        detail: {
          file: file.name,
          rows: report.rows,
          added: report.added,
          addedByReason: report.addedByReason,
          alreadySuppressed: report.alreadySuppressed,
          erased: report.erased,
          bad: report.bad,
        },
      });
    },
    { timeout: IMPORT_TRANSACTION_MS, maxWait: 10_000 },
  );
  return report;
}

export type ExportReason = Exclude<SuppressionReason, "ERASED">;

export type SuppressionExport = { rows: number; fileName: string; csv: ReadableStream<Uint8Array> };

/**
 * The suppression list as CSV (email,reason,note,added_at), the import's format. Never an
 * ERASED entry nor any entry whose address was erased: those are hashes, and no hash leaves.
 * Recorded in the audit log with the row count before the first row is sent; streamed in
 * keyset batches under a frozen id bound, so entries added meanwhile are left out (one
 * removed meanwhile is missing from the file, which then has a row fewer than recorded).
 */
export async function exportSuppressions(
  actor: SuppressionActor,
  options: { reason?: ExportReason; now?: Date; batchSize?: number } = {},
): Promise<SuppressionExport> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 1000;
  // A keyed read of the newest id: Prisma's aggregate _max walks the whole table.
  const maxId = (await db.suppression.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0;
  const where: Prisma.SuppressionWhereInput = {
    reason: options.reason ?? { not: "ERASED" },
    email: { not: null },
    id: { lte: maxId },
  };
  const rows = await db.$transaction(async (tx) => {
    const count = await tx.suppression.count({ where });
    await recordAudit(tx, actor.audit, { action: "suppression.export", detail: { rows: count, reason: options.reason ?? "all" } });
    return count;
  });

  const encoder = new TextEncoder();
  let beforeId = maxId + 1;
  let headerSent = false;
  const csv = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(stringify([[...EXPORT_COLUMNS]])));
        return;
      }
      const batch = await db.suppression.findMany({
        where: { ...where, id: { lt: beforeId } },
        orderBy: { id: "desc" },
        take: batchSize,
        select: { id: true, email: true, reason: true, note: true, createdAt: true },
      });
      if (batch.length === 0) {
        controller.close();
        return;
      }
      beforeId = batch[batch.length - 1].id;
      const lines = batch.map((s) => [s.email ?? "", reasonInFile(s.reason), s.note ?? "", s.createdAt.toISOString()].map(inertCell));
      controller.enqueue(encoder.encode(stringify(lines)));
    },
  });
  const fileName = `suppressions${options.reason ? `-${reasonInFile(options.reason)}` : ""}-${now.toISOString().slice(0, 10)}.csv`;
  return { rows, fileName, csv };
}
