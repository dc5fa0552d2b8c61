// The consent ledger as admins and auditors read it: search, CSV export and the daily chart of
// opt-ins and opt-outs. Read-only over ConsentEvent (the consent core writes it), on readDb; each
// query keyed on an index: (filter, id) for a page newest first, (createdAt, id) for dates,
// (unitId, createdAt, action, source, changed) for the chart (ADR 034).

import { stringify } from "csv-stringify/sync";
import { Prisma, type ConsentEvent } from "~/generated/prisma/client.ts";
import type { Channel, ConsentAction, ConsentSource } from "~/generated/prisma/enums.ts";
import { recordAudit, type AuditActor } from "~/domain/audit/audit.server.ts";
import { isErasedAddress } from "~/domain/consent/contacts.server.ts";
import { maskEmail } from "~/domain/consent/email.ts";
import { db, readDb, type Db } from "~/utils/db.server.ts";
import { timestampValue } from "~/utils/sql-values.server.ts";
import { inertCell } from "~/utils/csv-cells.ts";
import { containsText } from "~/utils/text-search.server.ts";
import {
  CHART_MAX_DAYS,
  dayRange,
  dayStart,
  DAY_MS,
  OPT_IN_ACTIONS,
  OPT_OUT_ACTIONS,
  isWholeAddress,
  type LedgerQuery,
  type LedgerQueryErrors,
} from "./ledger-query.ts";

export const LEDGER_PAGE_SIZE = 50;
/** Contacts a search by part of an address may match: more and the person is asked to type more of it. */
export const ADDRESS_PART_MATCHES = 200;

type UnitRef = { id: number; slug: string; displayName: string };
type TopicRef = { id: number; slug: string; name: string; unitId: number };

/** A query with its names resolved to rows: what the search, the export and the chart run on. */
export type LedgerScope = {
  query: LedgerQuery;
  unit: UnitRef | null;
  topic: TopicRef | null;
  contact: { id: number; email: string } | null;
  /** A search by part of an address: the ids of the contacts whose address contains it (at most ADDRESS_PART_MATCHES). */
  contactIds: number[] | null;
  /** The address searched for has no contact (never had one, or was erased): nothing can match. */
  addressWithoutContact: { erased: boolean } | null;
  where: Prisma.ConsentEventWhereInput;
};

/** Units and their topics (archived ones too: their history stays), for the search form. */
export async function ledgerFilterChoices(client: Db = readDb) {
  const units = await client.businessUnit.findMany({
    orderBy: { displayName: "asc" },
    select: { id: true, slug: true, displayName: true, topics: { orderBy: { name: "asc" }, select: { id: true, name: true, archivedAt: true } } },
  });
  return units.map((u) => ({ ...u, topics: u.topics.map((t) => ({ id: t.id, name: t.archivedAt ? `${t.name} (archived)` : t.name })) }));
}

/** Finds the unit, topic and contact the query names; a name that matches nothing is a field error. */
export async function resolveLedgerQuery(
  query: LedgerQuery,
  client: Db = db,
): Promise<{ ok: true; scope: LedgerScope } | { ok: false; errors: LedgerQueryErrors }> {
  const errors: LedgerQueryErrors = {};
  let unit: UnitRef | null = null;
  if (query.unit) {
    unit = await client.businessUnit.findUnique({ where: { slug: query.unit }, select: { id: true, slug: true, displayName: true } });
    if (!unit) errors.unit = `There is no unit “${query.unit}”.`;
  }
  let topic: TopicRef | null = null;
  if (query.topic) {
    const found = await client.topic.findUnique({
      where: { id: query.topic },
      select: { id: true, slug: true, name: true, unitId: true, unit: { select: { id: true, slug: true, displayName: true } } },
    });
    if (!found) errors.topic = `There is no topic ${query.topic}.`;
    else if (unit && found.unitId !== unit.id) errors.topic = `“${found.name}” is a topic of ${found.unit.displayName}, not of ${unit.displayName}.`;
    else {
      topic = { id: found.id, slug: found.slug, name: found.name, unitId: found.unitId };
      // A topic belongs to one unit: choosing it chooses that unit (and its chart).
      if (!unit && !query.unit) unit = found.unit;
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  let contact: LedgerScope["contact"] = null;
  let contactIds: number[] | null = null;
  let addressWithoutContact: LedgerScope["addressWithoutContact"] = null;
  if (query.email && isWholeAddress(query.email)) {
    contact = await client.contact.findUnique({ where: { email: query.email }, select: { id: true, email: true } });
    if (!contact) addressWithoutContact = { erased: await isErasedAddress(query.email, client) };
  } else if (query.email) {
    // Part of an address: found in Contact (one row per person), never by scanning the events
    // (millions, ADR 034); the events are then read through their contactId index (ADR 056).
    const found = await client.contact.findMany({ where: { email: containsText(query.email) }, select: { id: true }, orderBy: { id: "asc" }, take: ADDRESS_PART_MATCHES + 1 });
    if (found.length > ADDRESS_PART_MATCHES) {
      return { ok: false, errors: { email: `More than ${ADDRESS_PART_MATCHES} addresses contain “${query.email}”: type more of the address.` } };
    }
    contactIds = found.map((c) => c.id);
    if (contactIds.length === 0) addressWithoutContact = { erased: false };
  }
  const where: Prisma.ConsentEventWhereInput = {
    ...(query.email ? (contactIds ? { contactId: { in: contactIds } } : { contactId: contact?.id ?? -1 }) : {}),
    ...(unit ? { unitId: unit.id } : {}),
    ...(topic ? { topicId: topic.id } : {}),
    ...(query.source ? { source: query.source } : {}),
    ...(query.action ? { action: query.action } : {}),
    ...(query.campaign ? { campaignId: query.campaign } : {}),
    ...(query.from || query.to ? { createdAt: dayRange(query.from, query.to) } : {}),
  };
  return { ok: true, scope: { query, unit, topic, contact, contactIds, addressWithoutContact, where } };
}

export type LedgerEntry = {
  id: number;
  createdAt: Date;
  contactId: number | null;
  /** The contact's address now; null once the contact was erased. */
  email: string | null;
  unit: string | null;
  topic: string | null;
  channel: Channel | null;
  action: ConsentAction;
  source: ConsentSource;
  changed: boolean;
  actor: string | null;
  /** The staff member's address for "user:<id>" actors. */
  actorEmail: string | null;
  ip: string | null;
  userAgent: string | null;
  tokenId: string | null;
  campaignId: number | null;
  consentTextId: number | null;
  detail: string | null;
};

/** An event as stored, with its contact's address now (null once erased). */
type EventRow = ConsentEvent & { email: string | null };

/** Unit and topic names, and staff addresses for "user:<id>" actors, for a batch of events. */
async function describe(rows: EventRow[], client: Db, name: (u: UnitRef) => string, topicName: (t: TopicRef) => string): Promise<LedgerEntry[]> {
  const ids = (pick: (r: EventRow) => number | null) => [...new Set(rows.map(pick).filter((id): id is number => id !== null))];
  const userIds = [
    ...new Set(
      rows
        .map((r) => /^user:(\d+)$/.exec(r.actor ?? "")?.[1])
        .filter((id): id is string => id !== undefined)
        .map(Number),
    ),
  ];
  const [units, topics, users] = await Promise.all([
    client.businessUnit.findMany({ where: { id: { in: ids((r) => r.unitId) } }, select: { id: true, slug: true, displayName: true } }),
    client.topic.findMany({ where: { id: { in: ids((r) => r.topicId) } }, select: { id: true, slug: true, name: true, unitId: true } }),
    client.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } }),
  ]);
  const unitById = new Map(units.map((u) => [u.id, name(u)]));
  const topicById = new Map(topics.map((t) => [t.id, topicName(t)]));
  const userById = new Map(users.map((u) => [u.id, u.email]));
  return rows.map((row) => {
    const userId = /^user:(\d+)$/.exec(row.actor ?? "")?.[1];
    return {
      id: row.id,
      createdAt: row.createdAt,
      contactId: row.contactId,
      email: row.email,
      unitId: row.unitId,
      topicId: row.topicId,
      channel: row.channel,
      action: row.action,
      source: row.source,
      changed: row.changed,
      actor: row.actor,
      ip: row.ip,
      userAgent: row.userAgent,
      tokenId: row.tokenId,
      campaignId: row.campaignId,
      consentTextId: row.consentTextId,
      detail: row.detail,
      unit: row.unitId === null ? null : (unitById.get(row.unitId) ?? `unit ${row.unitId}`),
      topic: row.topicId === null ? null : (topicById.get(row.topicId) ?? `topic ${row.topicId}`),
      actorEmail: userId ? (userById.get(Number(userId)) ?? null) : null,
    };
  });
}

/** How a date search bounds its work (tests take small ones to reach every path). */
export type LedgerLimits = {
  /** Up to this many events in the date range, the range's ids are read from a createdAt index and sorted; beyond, ids are walked newest first. */
  sortedRange: number;
  /** Ids a date search first walks below its cursor: when they hold a whole page, no plan is needed. */
  dateWindow: number;
};
export const LEDGER_LIMITS: LedgerLimits = { sortedRange: 250_000, dateWindow: 20_000 };

/**
 * How the ids of a search are found: by walking an id index newest first, or by sorting a date
 * range's ids (a range small enough to sort, whose newest id is known).
 */
export type IdPlan = { kind: "walk" } | { kind: "sort"; newestInRange: number };

/** The filters as SQL conditions (dates apart); every one has an index that ends with id. */
function filterConditions(scope: LedgerScope): Prisma.Sql[] {
  const { query } = scope;
  return [
    ...(query.email
      ? [scope.contactIds?.length ? Prisma.sql`"contactId" IN (${Prisma.join(scope.contactIds)})` : Prisma.sql`"contactId" = ${scope.contact?.id ?? -1}`]
      : []),
    ...(scope.unit ? [Prisma.sql`"unitId" = ${scope.unit.id}`] : []),
    ...(scope.topic ? [Prisma.sql`"topicId" = ${scope.topic.id}`] : []),
    ...(query.source ? [Prisma.sql`"source" = ${query.source}`] : []),
    ...(query.action ? [Prisma.sql`"action" = ${query.action}`] : []),
    ...(query.campaign ? [Prisma.sql`"campaignId" = ${query.campaign}`] : []),
  ];
}

const whereAll = (conditions: Prisma.Sql[]) => (conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty);

/**
 * Ids are not in createdAt order (writers stamp their own time), so a date search cannot take an
 * id range: a small range is sorted by id, a large one filtered while walking ids. The count is
 * capped, so choosing costs at most `sortedRange` index entries.
 */
export async function choosePlan(scope: LedgerScope, client: Db = readDb, limits = LEDGER_LIMITS): Promise<IdPlan> {
  const { gte, lt } = dayRange(scope.query.from, scope.query.to);
  if (!gte && !lt) return { kind: "walk" };
  const inRange = [
    ...(scope.unit ? [Prisma.sql`"unitId" = ${scope.unit.id}`] : []),
    ...(gte ? [Prisma.sql`"createdAt" >= ${gte}`] : []),
    ...(lt ? [Prisma.sql`"createdAt" < ${lt}`] : []),
  ];
  const [row] = await client.$queryRaw<{ n: number | bigint; newest: number | bigint | null }[]>`SELECT COUNT(*) AS "n", MAX("id") AS "newest"
    FROM (SELECT "id" FROM "ConsentEvent" ${whereAll(inRange)} LIMIT ${limits.sortedRange + 1}) AS "capped"`;
  return Number(row.n) > limits.sortedRange ? { kind: "walk" } : { kind: "sort", newestInRange: Number(row.newest ?? 0) };
}

/**
 * The ids of the next `take` matching events below `beforeId`, newest first, exactly. A date
 * search first tries the `dateWindow` ids below the cursor: every id outside is smaller, so a
 * full page found there is the answer; otherwise `plan` ("sort" or "walk") finds it.
 */
async function matchingIds(
  scope: LedgerScope,
  plan: () => Promise<IdPlan>,
  beforeId: number | null,
  take: number,
  client: Db,
  limits: LedgerLimits,
): Promise<number[]> {
  const { gte, lt } = dayRange(scope.query.from, scope.query.to);
  if (!gte && !lt) return idsWalked(scope, beforeId !== null ? [Prisma.sql`"id" < ${beforeId}`] : [], take, client);
  const inWindow = async (below: number) => {
    const found = await idsWalked(scope, [Prisma.sql`"id" < ${below}`, Prisma.sql`"id" >= ${below - limits.dateWindow}`], take, client);
    return found.length === take || below - limits.dateWindow <= 1 ? found : null;
  };
  const below = beforeId ?? (await newestId(client)) + 1;
  const nearCursor = await inWindow(below);
  if (nearCursor) return nearCursor;
  const chosen = await plan();
  if (chosen.kind === "walk") return idsWalked(scope, [Prisma.sql`"id" < ${below}`], take, client);
  // No id in the range is above its newest: the window may start there instead.
  if (chosen.newestInRange < below - limits.dateWindow) {
    const nearNewest = await inWindow(chosen.newestInRange + 1);
    if (nearNewest) return nearNewest;
  }
  const rows = await client.$queryRaw<{ id: number | bigint }[]>(sortedRangeSql(scope, below, take, limits));
  return rows.map((r) => Number(r.id));
}

/** The newest `take` ids below `below` of a date range, sorted from the range's ids. */
export function sortedRangeSql(scope: LedgerScope, below: number, take: number, limits = LEDGER_LIMITS): Prisma.Sql {
  const { gte, lt } = dayRange(scope.query.from, scope.query.to);
  const inRange = [
    ...filterConditions(scope),
    Prisma.sql`"id" < ${below}`,
    ...(gte ? [Prisma.sql`"createdAt" >= ${gte}`] : []),
    ...(lt ? [Prisma.sql`"createdAt" < ${lt}`] : []),
  ];
  // The inner ORDER BY and LIMIT hold the range scan on a createdAt index; the limit never cuts (choosePlan counted).
  return Prisma.sql`SELECT "id" FROM (SELECT "id", "createdAt" FROM "ConsentEvent" ${whereAll(inRange)}
    ORDER BY "createdAt" LIMIT ${limits.sortedRange + 1}) AS "inRange" ORDER BY "id" DESC LIMIT ${take}`;
}

/** Matching ids newest first, walking an index that ends with id (the primary key when no filter has one). */
async function idsWalked(scope: LedgerScope, idBounds: Prisma.Sql[], take: number, client: Db): Promise<number[]> {
  const rows = await client.$queryRaw<{ id: number | bigint }[]>(walkSql(scope, idBounds, take));
  return rows.map((r) => Number(r.id));
}

/** The walk's statement: the filters and id bounds keyed, the dates a filter on the rows walked. */
export function walkSql(scope: LedgerScope, idBounds: Prisma.Sql[], take: number): Prisma.Sql {
  const { gte, lt } = dayRange(scope.query.from, scope.query.to);
  // COALESCE keeps the dates a filter: an index on them would mean sorting the whole range by id.
  const conditions = [
    ...filterConditions(scope),
    ...idBounds,
    ...(gte ? [Prisma.sql`COALESCE("createdAt", "createdAt") >= ${gte}`] : []),
    ...(lt ? [Prisma.sql`COALESCE("createdAt", "createdAt") < ${lt}`] : []),
  ];
  return Prisma.sql`SELECT "id" FROM "ConsentEvent" ${whereAll(conditions)} ORDER BY "id" DESC LIMIT ${take}`;
}

/** The newest event's id, or 0 (a keyed read: Prisma's aggregate _max scans the table). */
async function newestId(client: Db): Promise<number> {
  return (await client.consentEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0;
}

/**
 * The events of these ids (given newest first) with their contact's address, newest first: one
 * plain join, about three times faster than the same read through the query builder.
 */
async function eventsByIds(ids: number[], client: Db): Promise<EventRow[]> {
  if (ids.length === 0) return [];
  const rows = await client.$queryRaw<EventRow[]>`SELECT e.*, c."email" FROM "ConsentEvent" e LEFT JOIN "Contact" c ON c."id" = e."contactId"
    WHERE e."id" IN (${Prisma.join(ids)}) ORDER BY e."id" DESC`;
  // Plain SQL answers columns as the driver reads them: times and flags made what the model says they are.
  return rows.map((row) => ({ ...row, id: Number(row.id), createdAt: new Date(row.createdAt), changed: Boolean(row.changed) }));
}

/** One page of matching events, newest first (keyset on id). */
export async function searchLedger(
  scope: LedgerScope,
  client: Db = readDb,
  limits = LEDGER_LIMITS,
): Promise<{ entries: LedgerEntry[]; nextBeforeId: number | null }> {
  if (scope.addressWithoutContact) return { entries: [], nextBeforeId: null };
  const ids = await matchingIds(scope, () => choosePlan(scope, client, limits), scope.query.before ?? null, LEDGER_PAGE_SIZE + 1, client, limits);
  const rows = await eventsByIds(ids.slice(0, LEDGER_PAGE_SIZE), client);
  const entries = await describe(
    rows,
    client,
    (u) => u.displayName,
    (t) => t.name,
  );
  return { entries, nextBeforeId: ids.length > LEDGER_PAGE_SIZE ? ids[LEDGER_PAGE_SIZE - 1] : null };
}

export const LEDGER_CSV_COLUMNS = [
  "event_id",
  "created_at",
  "contact_id",
  "email",
  "unit",
  "topic",
  "channel",
  "action",
  "source",
  "changed",
  "actor",
  "actor_email",
  "ip",
  "user_agent",
  "token_id",
  "campaign_id",
  "consent_text_id",
  "detail",
] as const;

/** One CSV line of an event: slugs for unit and topic, ISO times, 1/0 for changed. */
export function ledgerCsvRow(entry: LedgerEntry): string[] {
  const text = (value: string | number | null) => (value === null ? "" : String(value));
  return [
    text(entry.id),
    entry.createdAt.toISOString(),
    text(entry.contactId),
    text(entry.email),
    text(entry.unit),
    text(entry.topic),
    text(entry.channel),
    entry.action,
    entry.source,
    entry.changed ? "1" : "0",
    text(entry.actor),
    text(entry.actorEmail),
    text(entry.ip),
    text(entry.userAgent),
    text(entry.tokenId),
    text(entry.campaignId),
    text(entry.consentTextId),
    text(entry.detail),
  ].map(inertCell);
}

export type LedgerExport = { rows: number; fileName: string; csv: ReadableStream<Uint8Array> };

/** The filters as the audit entry records them: names, not rows; a masked address, never the whole one. */
export function auditedFilters(scope: LedgerScope): Record<string, unknown> {
  const { query } = scope;
  return {
    ...(query.email && scope.contactIds
      ? { addressContains: `${query.email.slice(0, 1)}…`, contacts: scope.contactIds.length }
      : query.email
        ? { address: maskEmail(query.email), contactId: scope.contact?.id ?? null }
        : {}),
    ...(scope.unit ? { unit: scope.unit.slug } : {}),
    ...(scope.topic ? { topic: scope.topic.slug } : {}),
    ...(query.source ? { source: query.source } : {}),
    ...(query.action ? { action: query.action } : {}),
    ...(query.campaign ? { campaign: query.campaign } : {}),
    ...(query.from ? { from: query.from } : {}),
    ...(query.to ? { to: query.to } : {}),
  };
}

/**
 * The matching events as CSV, newest first like the page, streamed in keyset batches so a
 * million rows never sit in memory. The audit entry (filters and row count) is written before
 * the first row leaves, so a cut-short download is still recorded; the id bound is frozen
 * first, so the file holds the events that existed then and the count is the file's.
 */
export async function exportLedger(
  actor: AuditActor,
  scope: LedgerScope,
  options: { now?: Date; batchSize?: number; client?: Db; limits?: LedgerLimits; onProgress?: (done: number, total: number) => void } = {},
): Promise<LedgerExport> {
  const client = options.client ?? readDb;
  const limits = options.limits ?? LEDGER_LIMITS;
  const now = options.now ?? new Date();
  // Each batch's rows are turned into CSV on the thread that answers people: 250 rows hold it
  // for a few ms, so a one-click waits at most that long behind a download (bench:scale).
  const batchSize = options.batchSize ?? 250;
  const maxId = scope.addressWithoutContact ? 0 : await newestId(client);
  const rows = maxId === 0 ? 0 : await client.consentEvent.count({ where: { ...scope.where, id: { lte: maxId } } });
  // The audit entry is a write: the main client, never the read connection.
  await recordAudit(db, actor, { action: "ledger.export", detail: { filters: auditedFilters(scope), rows } });
  // Chosen once, when first needed: the range does not change during the export.
  let chosen: Promise<IdPlan> | null = null;
  const plan = () => (chosen ??= choosePlan(scope, client, limits));

  const encoder = new TextEncoder();
  let beforeId = maxId + 1;
  let headerSent = false;
  let done = 0;
  const csv = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        options.onProgress?.(0, rows);
        controller.enqueue(encoder.encode(stringify([[...LEDGER_CSV_COLUMNS]])));
        return;
      }
      const ids = maxId === 0 ? [] : await matchingIds(scope, plan, beforeId, batchSize, client, limits);
      if (ids.length === 0) {
        controller.close();
        return;
      }
      beforeId = ids[ids.length - 1];
      const batch = await eventsByIds(ids, client);
      done += batch.length;
      options.onProgress?.(done, rows);
      const entries = await describe(batch, client, (u) => u.slug, (t) => t.slug);
      controller.enqueue(encoder.encode(stringify(entries.map(ledgerCsvRow))));
    },
  });
  const fileName =
    `ledger${scope.unit ? `-${scope.unit.slug}` : ""}${scope.query.from ? `-from-${scope.query.from}` : ""}${scope.query.to ? `-to-${scope.query.to}` : ""}-${now.toISOString().slice(0, 10)}.csv`.replace(
      /[^\w.-]+/g,
      "-",
    );
  return { rows, fileName, csv };
}

export type ChartCounts = Partial<Record<ConsentSource, number>>;
export type ChartDay = { day: string; optIns: ChartCounts; optOuts: ChartCounts };
export type LedgerChart = {
  /** Null: changes made for every unit at once (global opt-ins and opt-outs). */
  unit: UnitRef | null;
  from: string;
  to: string;
  days: ChartDay[];
  /** Sources that occur in the period, in the order of the legend. */
  sources: ConsentSource[];
  totals: { optIns: number; optOuts: number };
};

/**
 * Daily opt-ins and opt-outs by source for one unit, or for every unit at once (events with no
 * unit: global opt-ins and opt-outs), over whole UTC days. The days are a VALUES list joined to
 * the events: each day a range on the (unitId, createdAt, action, source, changed) index, counted
 * from the index alone, so the chart costs the same whatever the ledger's size and needs no
 * database-specific date SQL.
 */
export async function ledgerChart(unit: UnitRef | null, period: { from: string; to: string }, client: Db = readDb): Promise<LedgerChart> {
  const start = dayStart(period.from)!;
  const dayCount = Math.round((dayStart(period.to)!.getTime() - start.getTime()) / DAY_MS) + 1;
  if (dayCount < 1 || dayCount > CHART_MAX_DAYS) throw new RangeError(`A chart covers 1 to ${CHART_MAX_DAYS} days.`);
  const optIn = new Set<string>(OPT_IN_ACTIONS);
  const starts = Array.from({ length: dayCount }, (_, i) => new Date(start.getTime() + i * DAY_MS));
  const dayRows = Prisma.join(starts.map((gte, i) => Prisma.sql`(${i}, ${timestampValue(gte)}, ${timestampValue(new Date(gte.getTime() + DAY_MS))})`));
  // One statement: each day a range on the covering index, no round trip per day.
  const groups = await client.$queryRaw<{ day: number | bigint; action: ConsentAction; source: ConsentSource; n: number | bigint }[]>`
    WITH "days" ("day", "gte", "lt") AS (VALUES ${dayRows})
    SELECT d."day", e."action", e."source", COUNT(*) AS "n" FROM "days" d
    JOIN "ConsentEvent" e ON ${unit ? Prisma.sql`e."unitId" = ${unit.id}` : Prisma.sql`e."unitId" IS NULL`} AND e."createdAt" >= d."gte" AND e."createdAt" < d."lt"
    WHERE e."changed" = ${true} AND e."action" IN (${Prisma.join([...OPT_IN_ACTIONS, ...OPT_OUT_ACTIONS])})
    GROUP BY d."day", e."action", e."source"`;
  const days: ChartDay[] = starts.map((gte) => ({ day: gte.toISOString().slice(0, 10), optIns: {}, optOuts: {} }));
  for (const group of groups) {
    const day = days[Number(group.day)];
    const counts = optIn.has(group.action) ? day.optIns : day.optOuts;
    counts[group.source] = (counts[group.source] ?? 0) + Number(group.n);
  }
  const present = new Set(days.flatMap((d) => [...Object.keys(d.optIns), ...Object.keys(d.optOuts)]));
  const sum = (counts: ChartCounts) => Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
  return {
    unit,
    from: period.from,
    to: period.to,
    days,
    sources: (Object.keys(SOURCE_ORDER) as ConsentSource[]).filter((s) => present.has(s)),
    totals: { optIns: days.reduce((n, d) => n + sum(d.optIns), 0), optOuts: days.reduce((n, d) => n + sum(d.optOuts), 0) },
  };
}

const SOURCE_ORDER: Record<ConsentSource, true> = {
  PREFERENCE_CENTER: true,
  LINK_PAGE: true,
  ONE_CLICK: true,
  MAILTO: true,
  PROVIDER: true,
  API: true,
  IMPORT: true,
  ADMIN: true,
  EXPIRY: true,
  BOUNCE: true,
  COMPLAINT: true,
};
