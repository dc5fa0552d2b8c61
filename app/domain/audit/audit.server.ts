import type { Prisma } from "~/generated/prisma/client.ts";
import type { Db, Tx } from "~/utils/db.server.ts";
import { db } from "~/utils/db.server.ts";
import type { Requester } from "~/utils/request.server.ts";
import { containsText, startsWithText } from "~/utils/text-search.server.ts";

// The admin audit log: who changed the product's set-up, what, when and from where.
// Every admin action writes one entry in the same transaction as the change it describes,
// so the log can never claim a change that was rolled back, nor miss one that landed.

/** The person acting and where from; the CLI acts as `cli` with no address. */
export type AuditActor = { userId: number | null; email: string } & Requester;

export type AuditEntry = {
  /** Dotted, product words: "unit.create", "topic.archive", "user.invite", "key.retire" … */
  action: string;
  /** What was acted on, "unit:3", "user:12", "key:<kid>". */
  target?: string;
  /** Facts worth keeping (changed field names, counts). Never a secret. */
  detail?: Record<string, unknown>;
};

export const CLI_ACTOR: AuditActor = { userId: null, email: "cli", ip: null, userAgent: null };

export async function recordAudit(client: Db | Tx, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await client.auditEvent.create({
    data: {
      actorUserId: actor.userId,
      actorEmail: actor.email,
      action: entry.action,
      target: entry.target ?? null,
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
      ip: actor.ip,
      userAgent: actor.userAgent,
    },
  });
}

/** `target` is exact ("campaign:12", "unit:3"): every step of one campaign, and nothing of campaign 120. */
export type AuditFilter = { actor?: string; action?: string; target?: string; from?: Date; to?: Date };

const PAGE_SIZE = 100;

/** Newest first, a page at a time (keyset on id). */
export async function listAudit(filter: AuditFilter, beforeId?: number, client: Db = db) {
  const where: Prisma.AuditEventWhereInput = {
    ...(filter.actor ? { actorEmail: containsText(filter.actor.toLowerCase()) } : {}),
    ...(filter.action ? { action: startsWithText(filter.action) } : {}),
    ...(filter.target ? { target: filter.target } : {}),
    ...(filter.from || filter.to ? { createdAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } } : {}),
    ...(beforeId ? { id: { lt: beforeId } } : {}),
  };
  const rows = await client.auditEvent.findMany({ where, orderBy: { id: "desc" }, take: PAGE_SIZE + 1 });
  return { events: rows.slice(0, PAGE_SIZE), nextBeforeId: rows.length > PAGE_SIZE ? rows[PAGE_SIZE - 1].id : null };
}

/** The actor for a signed-in admin's request. */
export function staffActor(staff: { id: number; email: string }, requester: Requester): AuditActor {
  return { userId: staff.id, email: staff.email, ...requester };
}
