// Campaigns as marketers see them: drafts, schedule, send, pause, progress and results.
// Every read and write carries the marketer's units in its WHERE clause (inStaffUnits), so
// another unit's campaign is "not found", whatever id is typed.

import { db, readDb } from "~/utils/db.server.ts";
import { inStaffUnits, unitScope, type Staff } from "~/domain/accounts/staff.server.ts";
import { nothingFound } from "~/domain/not-found.ts";
import { countAudience, findAudienceBatch } from "~/domain/consent/audience.server.ts";
import { EmailSchema } from "~/domain/consent/email.ts";
import { languageOfLocale } from "~/i18n/languages.ts";
import type { Channel } from "~/domain/consent/channels.ts";
import type { PromotionalTarget } from "~/domain/consent/eligibility.ts";
import { getMailTransport } from "~/domain/mail/transport.server.ts";
import { preferencesUrl, unsubscribeUrl } from "~/domain/tokens/links.server.ts";
import { missingSenderFacts } from "~/domain/units/sender-facts.server.ts";
import { personalize, renderCampaignPreview, prepareCampaignMessage, validateCampaignDraft, type CampaignDraft } from "./message.server.ts";
import { formatInZone } from "./schedule-time.ts";
import { startCampaign } from "./sender.server.ts";
import { replaceCampaignTopics } from "./send-store.server.ts";
import { countUnsubscribeReasons } from "~/domain/unsubscribe/reasons.server.ts";
import { recordAudit, type AuditActor } from "~/domain/audit/audit.server.ts";
import { campaignsFeedback } from "~/domain/feedback/rates.server.ts";
import type { Requester } from "~/utils/request.server.ts";
import type { Tx } from "~/utils/db.server.ts";
import type { CampaignStatus, Prisma } from "~/generated/prisma/client.ts";

/** A request that cannot be done in the campaign's present state, or with this input: a 4xx with this message. */
export class CampaignError extends Error {
  name = "CampaignError";
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Who acts when a campaign comes from the CLI: an operator with every unit, no user row. */
export const CLI_OPERATOR: Staff = { sessionId: "cli", id: 0, email: "operator@localhost", name: "CLI", role: "ADMIN", contactId: null, unitIds: null };

export type CampaignInput = {
  unitId: number;
  topicId: number;
  subject: string;
  preheader: string;
  bodyMarkdown: string;
  advertisementLabel: boolean;
  /** More topics of the unit beside topicId: someone on any of them gets one copy (ADR 055). */
  moreTopicIds?: number[];
  /** Leave out whoever got an email of the unit in this many days; null or absent: nobody (ADR 055). */
  excludeRecentDays?: number | null;
};

/** Every topic of the input, the chosen one first, each once. */
export function inputTopicIds(input: Pick<CampaignInput, "topicId" | "moreTopicIds">): number[] {
  return [...new Set([input.topicId, ...(input.moreTopicIds ?? [])])];
}

/** Who a campaign is for, as the audience count reads it: its unit, every topic, its exclusion. */
export type AudienceChoice = { unitId: number; topicIds: number[]; excludeRecentDays?: number | null };

/** A saved campaign's topics in order: its CampaignTopic rows, or its one topic when it has none (made before ADR 055). */
export function campaignTopicIds(campaign: { topicId: number; topics?: { topicId: number }[] }): number[] {
  return campaign.topics && campaign.topics.length > 0 ? campaign.topics.map((t) => t.topicId) : [campaign.topicId];
}

const SUMMARY = {
  id: true,
  name: true,
  subject: true,
  status: true,
  channel: true,
  scheduledAt: true,
  scheduleTimeZone: true,
  startedAt: true,
  finishedAt: true,
  sentCount: true,
  failedCount: true,
  skippedCount: true,
  frequencyLimitedCount: true,
  pausedReason: true,
  createdAt: true,
  archivedAt: true,
  stoppedAt: true,
  unit: { select: { id: true, displayName: true, slug: true } },
  topic: { select: { id: true, name: true, slug: true } },
  // Every topic, in order (ADR 055): lists show "Topic + N more".
  topics: { select: { topicId: true, topic: { select: { name: true } } }, orderBy: { position: "asc" } },
  excludeRecentDays: true,
} as const;

export function listCampaigns(staff: Staff) {
  return db.campaign.findMany({ where: inStaffUnits(staff), orderBy: { id: "desc" }, take: 200, select: SUMMARY });
}

/** Who did it, for the audit log: the marketer, and where from when the request is known. */
function campaignActor(staff: Staff, requester: Requester = { ip: null, userAgent: null }): AuditActor {
  return { userId: staff.id || null, email: staff.email, ...requester };
}

/** One audit entry for a step of campaign work, written in the transaction of the change (ADR 052). */
function auditCampaign(tx: Tx, staff: Staff, requester: Requester | undefined, action: string, id: number, detail?: Record<string, unknown>) {
  return recordAudit(tx, campaignActor(staff, requester), { action: `campaign.${action}`, target: `campaign:${id}`, detail });
}

export const LIBRARY_PAGE_SIZE = 50;

export type LibraryFilter = {
  unitId?: number;
  status?: CampaignStatus;
  /** Sent (or, if never sent, written) on or after this instant … */
  from?: Date;
  /** … and before this one. */
  to?: Date;
  /** Archived drafts are hidden unless asked for. */
  archived?: boolean;
};

/**
 * A page of the campaign library, newest first, keyset on id (no OFFSET: page 40 costs what page
 * 1 does), with each campaign's feedback rates read for the whole page at once.
 */
export async function listCampaignLibrary(staff: Staff, filter: LibraryFilter = {}, beforeId?: number, pageSize = LIBRARY_PAGE_SIZE) {
  const range = filter.from || filter.to ? { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } : null;
  const where: Prisma.CampaignWhereInput = {
    AND: [
      inStaffUnits(staff),
      filter.unitId ? { unitId: filter.unitId } : {},
      filter.status ? { status: filter.status } : {},
      filter.archived ? {} : { archivedAt: null },
      range ? { OR: [{ startedAt: range }, { startedAt: null, createdAt: range }] } : {},
      beforeId ? { id: { lt: beforeId } } : {},
    ],
  };
  const rows = await readDb.campaign.findMany({
    where,
    orderBy: { id: "desc" },
    take: pageSize + 1,
    select: { ...SUMMARY, createdBy: { select: { name: true, email: true } } },
  });
  const page = rows.slice(0, pageSize);
  const feedback = await campaignsFeedback(page);
  return {
    campaigns: page.map((campaign) => ({ ...campaign, feedback: campaign.status === "DRAFT" || campaign.status === "SCHEDULED" ? null : (feedback.get(campaign.id) ?? null) })),
    nextBeforeId: rows.length > pageSize ? page[page.length - 1].id : null,
  };
}

/** The campaign, if it belongs to one of this person's units; otherwise NotFoundError. */
export async function findCampaign(staff: Staff, id: number) {
  const campaign = await db.campaign.findFirst({
    where: { id, ...inStaffUnits(staff) },
    select: {
      ...SUMMARY,
      preheader: true,
      bodyMarkdown: true,
      advertisementLabel: true,
      unitId: true,
      topicId: true,
      maxContactId: true,
      lastContactId: true,
      audienceRule: true,
      audienceCount: true,
      listedCount: true,
    },
  });
  return campaign ?? nothingFound(`Campaign ${id}`);
}

/** Units and their open topics this person may write campaigns for, with what a unit still lacks to send. */
export async function composerChoices(staff: Staff) {
  const units = await db.businessUnit.findMany({
    where: unitScope(staff),
    orderBy: { displayName: "asc" },
    include: { topics: { where: { archivedAt: null, offersEmail: true }, orderBy: { name: "asc" }, select: { id: true, name: true } } },
  });
  return units.map((unit) => ({ id: unit.id, displayName: unit.displayName, topics: unit.topics, missing: missingSenderFacts(unit) }));
}

/** Checks the input against the person's units and the draft rules; throws CampaignError naming the field. */
async function checkInput(staff: Staff, input: CampaignInput) {
  const unit = await db.businessUnit.findFirst({ where: { AND: [{ id: input.unitId }, unitScope(staff)] } });
  if (!unit) nothingFound(`Unit ${input.unitId}`);
  const topic = await db.topic.findFirst({ where: { id: input.topicId, unitId: unit.id }, select: { name: true, archivedAt: true, offersEmail: true } });
  if (!topic) throw new CampaignError("Choose a topic of this unit.", "topicId");
  if (topic.archivedAt) throw new CampaignError(`“${topic.name}” is archived: it takes no new campaigns.`, "topicId");
  if (!topic.offersEmail) throw new CampaignError(`“${topic.name}” is not offered by email.`, "topicId");
  const more = inputTopicIds(input).slice(1);
  if (more.length > 0) {
    const found = await db.topic.findMany({ where: { id: { in: more }, unitId: unit.id }, select: { id: true, name: true, archivedAt: true, offersEmail: true } });
    if (found.length !== more.length) throw new CampaignError("Choose more topics of this unit only.", "moreTopicIds");
    const closed = found.find((t) => t.archivedAt || !t.offersEmail);
    if (closed) throw new CampaignError(`“${closed.name}” ${closed.archivedAt ? "is archived: it takes no new campaigns" : "is not offered by email"}.`, "moreTopicIds");
  }
  const draft: CampaignDraft = { ...input, topicName: topic.name };
  const [problem] = validateCampaignDraft(draft);
  if (problem) throw new CampaignError(problem.message, problem.field);
  return { unit, topic, draft };
}

export async function createCampaign(staff: Staff, input: CampaignInput, requester?: Requester) {
  await checkInput(staff, input);
  return db.$transaction(async (tx) => {
    const created = await tx.campaign.create({
      data: {
        ...draftContent(input),
        channel: "EMAIL",
        createdById: staff.id || null,
        topics: { create: inputTopicIds(input).map((topicId, position) => ({ topicId, position })) },
      },
      select: { id: true },
    });
    await auditCampaign(tx, staff, requester, "create", created.id, { unitId: input.unitId, topicIds: inputTopicIds(input) });
    return created;
  });
}

/**
 * Saves a draft, or a scheduled campaign until the sender takes it: the status is in the
 * statement's WHERE, so an edit racing the start either lands before it (and the start, which
 * checks the unit and topic it counted, waits for the next tick) or is refused (ADR 052).
 */
export async function updateDraft(staff: Staff, id: number, input: CampaignInput, requester?: Requester) {
  const campaign = await findCampaign(staff, id);
  if (campaign.status !== "DRAFT" && campaign.status !== "SCHEDULED") throw new CampaignError("This campaign has started: it can no longer be edited.");
  if (campaign.archivedAt) throw new CampaignError("This draft is archived: it can no longer be edited.");
  await checkInput(staff, input);
  await db.$transaction(async (tx) => {
    const saved = await tx.campaign.updateMany({
      where: { id, status: { in: ["DRAFT", "SCHEDULED"] }, archivedAt: null, ...inStaffUnits(staff) },
      data: draftContent(input),
    });
    if (saved.count !== 1) throw new CampaignError("This campaign has started: it can no longer be edited. Reload the page to see its progress.");
    await replaceCampaignTopics(tx, id, inputTopicIds(input));
    await auditCampaign(tx, staff, requester, "edit", id, { status: campaign.status });
  });
}

/** A new draft with the campaign's unit, topic and content, named "Copy of …"; any campaign of the marketer's units may be copied. */
export async function duplicateCampaign(staff: Staff, id: number, requester?: Requester) {
  const campaign = await findCampaign(staff, id);
  return db.$transaction(async (tx) => {
    const copy = await tx.campaign.create({
      data: {
        unitId: campaign.unitId,
        topicId: campaign.topicId,
        channel: campaign.channel,
        name: `Copy of ${campaign.name}`,
        subject: campaign.subject,
        preheader: campaign.preheader,
        bodyMarkdown: campaign.bodyMarkdown,
        advertisementLabel: campaign.advertisementLabel,
        excludeRecentDays: campaign.excludeRecentDays,
        createdById: staff.id || null,
        topics: { create: campaignTopicIds(campaign).map((topicId, position) => ({ topicId, position })) },
      },
      select: { id: true },
    });
    await auditCampaign(tx, staff, requester, "duplicate", copy.id, { from: `campaign:${id}` });
    return copy;
  });
}

/** Puts a draft away: hidden from the library unless asked for, and never sent. Only a draft: the status is in the WHERE. */
export async function archiveDraft(staff: Staff, id: number, now = new Date(), requester?: Requester) {
  await findCampaign(staff, id);
  await db.$transaction(async (tx) => {
    const archived = await tx.campaign.updateMany({ where: { id, status: "DRAFT", archivedAt: null, ...inStaffUnits(staff) }, data: { archivedAt: now } });
    if (archived.count !== 1) throw new CampaignError("Only a draft can be archived; cancel a schedule first.");
    await auditCampaign(tx, staff, requester, "archive", id);
  });
}

async function requireSendable(unitId: number) {
  const unit = await db.businessUnit.findUniqueOrThrow({ where: { id: unitId } });
  const missing = missingSenderFacts(unit);
  if (missing.length > 0) throw new CampaignError(`${unit.displayName} cannot send yet: it needs ${missing.join(" and ")}. An admin can add it in the unit's settings.`);
}

/**
 * No campaign starts on an archived topic: archiving is refused while one is scheduled
 * (app/domain/units/topics.server.ts), and a draft on it can be neither sent nor scheduled.
 */
async function requireOpenTopic(topicId: number) {
  const topic = await db.topic.findUniqueOrThrow({ where: { id: topicId }, select: { name: true, archivedAt: true } });
  if (topic.archivedAt) throw new CampaignError(`“${topic.name}” is archived: it takes no new campaigns. Edit the draft and choose another topic.`);
}

function draftContent(input: CampaignInput) {
  return {
    unitId: input.unitId,
    topicId: input.topicId,
    name: input.subject,
    subject: input.subject,
    preheader: input.preheader,
    bodyMarkdown: input.bodyMarkdown,
    advertisementLabel: input.advertisementLabel,
    ...(input.excludeRecentDays !== undefined ? { excludeRecentDays: input.excludeRecentDays } : {}),
  };
}

/** The input's audience choice: its unit, every topic, its exclusion. */
const choiceOfInput = (input: CampaignInput): AudienceChoice => ({ unitId: input.unitId, topicIds: inputTopicIds(input), excludeRecentDays: input.excludeRecentDays ?? null });

/** A saved campaign's audience choice. */
const choiceOfCampaign = (campaign: { unitId: number; topicId: number; topics?: { topicId: number }[]; excludeRecentDays?: number | null }): AudienceChoice => ({
  unitId: campaign.unitId,
  topicIds: campaignTopicIds(campaign),
  excludeRecentDays: campaign.excludeRecentDays ?? null,
});

/** A send to nobody is a mistake, not a campaign: refused before anything is written. */
async function requireAudience(staff: Staff, unitId: number, topicId: number, now: Date, choice?: AudienceChoice) {
  const audience = choice ? await audienceSizeFor(staff, choice, "EMAIL", now) : await audienceSize(staff, unitId, topicId, "EMAIL", now);
  if (audience === 0) {
    const topic = await db.topic.findUniqueOrThrow({ where: { id: topicId }, select: { name: true } });
    throw new CampaignError(`Nobody would receive this campaign: no one may get “${topic.name}” by email right now. Choose another topic, or send it later.`);
  }
  return audience;
}

/**
 * What "Send now" would send, for the marketer to confirm: the draft as it stands on their
 * screen (saved or not), its unit, topic and audience now, and the email itself.
 */
export async function sendNowConfirmation(staff: Staff, id: number, input: CampaignInput, now = new Date()) {
  const campaign = await findCampaign(staff, id);
  if (campaign.status !== "DRAFT") throw new CampaignError("Only a draft can be sent. Reload the page to see where this campaign is.");
  const { unit, topic, draft } = await checkInput(staff, input);
  await requireSendable(unit.id);
  const audience = await requireAudience(staff, unit.id, input.topicId, now, choiceOfInput(input));
  const rendered = await renderCampaignPreview(draft, unit);
  const more = inputTopicIds(input).length - 1;
  return { unitName: unit.displayName, topicName: more > 0 ? `${topic.name} + ${more} more` : topic.name, audience, preheader: draft.preheader, ...rendered };
}

/**
 * Sends at once: the campaign's audience is frozen now and the sender picks it up within a
 * second. With `input` (what the marketer confirmed), the draft is saved as that in the same
 * statement that starts it, so what was confirmed is exactly what goes.
 */
export async function sendNow(staff: Staff, id: number, input?: CampaignInput, now = new Date(), requester?: Requester) {
  const campaign = await findCampaign(staff, id);
  if (campaign.status !== "DRAFT" && campaign.status !== "SCHEDULED") throw new CampaignError("This campaign has already been sent or cancelled.");
  if (input && campaign.status !== "DRAFT") throw new CampaignError("Only a draft can be edited. Cancel the schedule first.");
  if (input) await checkInput(staff, input);
  const unitId = input?.unitId ?? campaign.unitId;
  const topicId = input?.topicId ?? campaign.topicId;
  const choice = input ? choiceOfInput(input) : choiceOfCampaign(campaign);
  for (const each of choice.topicIds) await requireOpenTopic(each);
  await requireSendable(unitId);
  // The count just made is the one the campaign keeps: the start does not count again.
  const audience = await requireAudience(staff, unitId, topicId, now, choice);
  const onStarted = (tx: Tx) => auditCampaign(tx, staff, requester, "send", id, { audience });
  const started = await startCampaign(id, now, { draft: input ? draftContent(input) : undefined, audience, topicIds: choice.topicIds, onStarted });
  if (!started) throw new CampaignError("This campaign has already started.");
}

/**
 * Schedules the draft for an instant; `timeZone` is the zone the marketer chose it in, kept to
 * show it back. With `input` (the composer as it stands), the draft is saved as that with it.
 */
export async function scheduleCampaign(staff: Staff, id: number, at: Date, now = new Date(), options: { input?: CampaignInput; timeZone?: string; requester?: Requester } = {}) {
  const campaign = await findCampaign(staff, id);
  if (campaign.status !== "DRAFT") throw new CampaignError("Only a draft can be scheduled.");
  const timeZone = options.timeZone ?? "UTC";
  if (at.getTime() <= now.getTime() + 60_000) {
    const chosen = timeZone === "UTC" ? `${formatInZone(at, "UTC")} UTC` : `${formatInZone(at, timeZone)} in ${timeZone} (${formatInZone(at, "UTC")} UTC)`;
    throw new CampaignError(`Choose a time at least a minute from now, or send it now. You chose ${chosen}.`, "scheduledAt");
  }
  if (options.input) await checkInput(staff, options.input);
  const choice = options.input ? choiceOfInput(options.input) : choiceOfCampaign(campaign);
  for (const each of choice.topicIds) await requireOpenTopic(each);
  await requireSendable(options.input?.unitId ?? campaign.unitId);
  // The topic condition in the same statement: a topic archived meanwhile leaves the draft a draft.
  await db.$transaction(async (tx) => {
    const scheduled = await tx.campaign.updateMany({
      where: { id, status: "DRAFT", archivedAt: null, topic: { archivedAt: null }, ...inStaffUnits(staff) },
      data: { ...(options.input ? draftContent(options.input) : {}), status: "SCHEDULED", scheduledAt: at, scheduleTimeZone: timeZone },
    });
    if (scheduled.count !== 1) throw new CampaignError("The campaign could not be scheduled: it is no longer a draft, or its topic was just archived. Reload the page.");
    if (options.input) await replaceCampaignTopics(tx, id, choice.topicIds);
    await auditCampaign(tx, staff, options.requester, "schedule", id, { at: at.toISOString(), timeZone });
  });
}

/** Changes the status when it is one of `from`, with its audit entry in the same transaction; says so when it is not. */
async function transition(
  staff: Staff,
  id: number,
  from: ("SCHEDULED" | "SENDING" | "PAUSED")[],
  data: Prisma.CampaignUpdateManyMutationInput,
  refusal: string,
  audit: { action: string; requester?: Requester },
) {
  await findCampaign(staff, id);
  await db.$transaction(async (tx) => {
    const changed = await tx.campaign.updateMany({ where: { id, status: { in: from }, ...inStaffUnits(staff) }, data });
    if (changed.count !== 1) throw new CampaignError(refusal);
    await auditCampaign(tx, staff, audit.requester, audit.action, id);
  });
}

export const cancelSchedule = (staff: Staff, id: number, requester?: Requester) =>
  transition(staff, id, ["SCHEDULED"], { status: "DRAFT", scheduledAt: null, scheduleTimeZone: null }, "Only a scheduled campaign can be cancelled; it may have started already.", {
    action: "unschedule",
    requester,
  });

export const pauseCampaign = (staff: Staff, id: number, requester?: Requester) =>
  transition(staff, id, ["SENDING"], { status: "PAUSED", pausedReason: "Paused by a marketer.", leaseOwner: null, leaseUntil: null }, "Only a campaign that is sending can be paused.", {
    action: "pause",
    requester,
  });

export const resumeCampaign = (staff: Staff, id: number, requester?: Requester) =>
  transition(staff, id, ["PAUSED"], { status: "SENDING", pausedReason: null }, "Only a paused campaign can be resumed.", { action: "resume", requester });

/**
 * Stops a sending or paused campaign for good: it never resumes, and what was not yet sent is
 * never sent. The sender claims a batch only while the campaign is SENDING, in the claim's own
 * statement, so after this returns no new batch is claimed (one already claimed may still finish).
 */
export const stopCampaign = (staff: Staff, id: number, now = new Date(), requester?: Requester) =>
  transition(
    staff,
    id,
    ["SENDING", "PAUSED"],
    { status: "STOPPED", stoppedAt: now, finishedAt: now, pausedReason: null, leaseOwner: null, leaseUntil: null },
    "Only a campaign that is sending or paused can be stopped.",
    { action: "stop", requester },
  );

/**
 * The composer's preview: the real email as a real member of the audience would get it (the
 * first one, or the one whose address `previewAs` gives), and how many would get it now. Its
 * links carry no token (invariant 10): following them acts for nobody.
 */
export async function previewCampaign(staff: Staff, input: CampaignInput & { previewAs?: string }) {
  const { unit, draft } = await checkInput(staff, input);
  const now = new Date();
  const choice = choiceOfInput(input);
  const topicIds = [...new Set(choice.topicIds)];
  const target: PromotionalTarget = {
    unitId: unit.id,
    topicId: topicIds[0],
    channel: "EMAIL",
    ...(topicIds.length > 1 ? { topicIds } : {}),
    excludeRecentDays: choice.excludeRecentDays ?? null,
  };
  const found = await previewRecipient(target, input.previewAs ?? "", now);
  const sample = found.recipient
    ? { name: found.recipient.name, language: languageOfLocale(found.recipient.locale) ?? undefined, timeZone: found.recipient.timeZone, consent: found.recipient.consent }
    : {};
  const [rendered, audience] = await Promise.all([renderCampaignPreview(draft, unit, sample), audienceSizeFor(staff, choice, "EMAIL", now)]);
  return { ...rendered, audience, recipient: found.recipient ? { email: found.recipient.email, name: found.recipient.name } : null, recipientNote: found.note };
}

/** The audience member the preview shows the email to, or why there is none. */
async function previewRecipient(target: PromotionalTarget, previewAs: string, now: Date) {
  let range: { afterContactId?: number; maxContactId?: number } = {};
  let note: string | null = null;
  if (previewAs.trim()) {
    const email = EmailSchema.safeParse(previewAs);
    const contact = email.success ? await readDb.contact.findUnique({ where: { email: email.data }, select: { id: true } }) : null;
    if (contact) range = { afterContactId: contact.id - 1, maxContactId: contact.id };
    else note = `${previewAs.trim()} is not in this campaign's audience; shown as its first member instead.`;
  }
  let [member] = await findAudienceBatch(readDb, target, now, { ...range, take: 1 });
  if (!member && range.maxContactId !== undefined) {
    note = `${previewAs.trim()} is not in this campaign's audience; shown as its first member instead.`;
    [member] = await findAudienceBatch(readDb, target, now, { take: 1 });
  }
  if (!member) return { recipient: null, note: note ?? "Nobody is in the audience yet: shown as a subscriber who signed up today." };
  const contact = await readDb.contact.findUniqueOrThrow({
    where: { id: member.id },
    select: {
      email: true,
      name: true,
      locale: true,
      timeZone: true,
      // The first of the campaign's topics the person is on: the consent their footer states.
      subscriptions: { where: { topicId: { in: target.topicIds ?? [target.topicId] }, channel: target.channel, status: "SUBSCRIBED" }, select: { basis: true, consentedAt: true }, take: 1 },
    },
  });
  const [subscription] = contact.subscriptions;
  return {
    recipient: { email: contact.email, name: contact.name, locale: contact.locale, timeZone: contact.timeZone, consent: subscription ? { basis: subscription.basis, consentedAt: subscription.consentedAt } : undefined },
    note,
  };
}

/** How many contacts would get it if it were sent now. */
export async function audienceSize(staff: Staff, unitId: number, topicId: number, channel: Channel = "EMAIL", now = new Date()) {
  const topic = await db.topic.findFirst({ where: { id: topicId, unitId, ...inStaffUnits(staff) }, select: { id: true } });
  if (!topic) return 0;
  return countAudience(readDb, { unitId, topicId, channel }, now);
}

/** How many contacts a choice of several topics (and an exclusion) would reach if it were sent now: 0 for topics not all of the unit. */
export async function audienceSizeFor(staff: Staff, choice: AudienceChoice, channel: Channel = "EMAIL", now = new Date()) {
  const topicIds = [...new Set(choice.topicIds)];
  if (topicIds.length === 0) return 0;
  const topics = await db.topic.count({ where: { id: { in: topicIds }, unitId: choice.unitId, ...inStaffUnits(staff) } });
  if (topics !== topicIds.length) return 0;
  return countAudience(readDb, { unitId: choice.unitId, topicId: topicIds[0], channel, ...(topicIds.length > 1 ? { topicIds } : {}), excludeRecentDays: choice.excludeRecentDays ?? null }, now);
}

/**
 * Sends the campaign as it stands to the marketer's own address, or to the unit's seed list
 * (ADR 054), marked as a test: as it is on their screen when `input` is given (nothing is
 * saved), else as saved. Its links are real but name no contact, so following them changes
 * nobody's preferences; no delivery is written.
 */
export async function sendTestMessage(staff: Staff, id: number, input?: CampaignInput, to: "me" | "seed list" = "me", requester?: Requester) {
  const campaign = await findCampaign(staff, id);
  const draft: CampaignDraft = input
    ? (await checkInput(staff, input)).draft
    : { subject: campaign.subject, preheader: campaign.preheader, bodyMarkdown: campaign.bodyMarkdown, advertisementLabel: campaign.advertisementLabel, topicName: campaign.topic.name };
  const topicId = input?.topicId ?? campaign.topicId;
  const unit = await db.businessUnit.findUniqueOrThrow({ where: { id: input?.unitId ?? campaign.unitId } });
  await requireSendable(unit.id);
  const topic = await db.topic.findUniqueOrThrow({ where: { id: topicId }, select: { slug: true } });
  const prepared = await prepareCampaignMessage({ ...draft, subject: `[Test] ${draft.subject}` }, unit, { campaignId: campaign.id, topic: { id: topicId, slug: topic.slug } });
  const nobody = { contactId: 0, unitId: unit.id };
  const addresses =
    to === "me" ? [staff.email] : (await db.seedAddress.findMany({ where: { unitId: unit.id }, orderBy: { email: "asc" }, select: { email: true } })).map((seed) => seed.email);
  if (addresses.length === 0) throw new CampaignError(`The seed list of ${unit.displayName} is empty: add addresses to it first.`);
  const links = {
    unsubscribeUrl: await unsubscribeUrl({ ...nobody, topicId, campaignId: campaign.id }),
    preferencesUrl: await preferencesUrl(nobody),
  };
  for (const email of addresses) {
    const mail = personalize(prepared, {
      email,
      ...links,
      // The sender's own name in the merge fields: a seed address names no contact.
      name: to === "me" ? staff.name : null,
      // As a subscriber who signed up today would get it, the copy the composer's preview shows.
      consent: { basis: "EXPRESS", consentedAt: new Date() },
    });
    await getMailTransport("promotional").send(mail);
  }
  // After the send: there is no change to share a transaction with, and a failed send is no test sent.
  await db.$transaction((tx) => auditCampaign(tx, staff, requester, "test", campaign.id, { addresses: addresses.length }));
  return { to: to === "me" ? staff.email : `the seed list (${addresses.length} ${addresses.length === 1 ? "address" : "addresses"})` };
}


const UNSUBSCRIBE_ACTIONS = ["UNIT_OPT_OUT", "GLOBAL_OPT_OUT", "UNSUBSCRIBE"] as const;

/**
 * Where a started campaign stands, from the counts kept with it (no recount, so the 2 s poll is
 * a keyed read): `audience` was counted at the start, `listed` contacts have a delivery, of which
 * `waiting` have no outcome yet. `remaining` is an upper bound while contacts are still being
 * listed (people who opt out since the start are skipped or never listed); exact once all are
 * listed; null for a campaign started before the audience was kept.
 */
export function campaignProgress(campaign: {
  status: string;
  audienceCount: number | null;
  listedCount: number;
  sentCount: number;
  failedCount: number;
  skippedCount: number;
  lastContactId: number;
  maxContactId: number | null;
}) {
  const { audienceCount, listedCount, sentCount, failedCount, skippedCount } = campaign;
  const waiting = Math.max(0, listedCount - sentCount - failedCount - skippedCount);
  const listing = (campaign.status === "SENDING" || campaign.status === "PAUSED") && campaign.lastContactId < (campaign.maxContactId ?? 0);
  const notYetListed = !listing ? 0 : audienceCount === null ? null : Math.max(0, audienceCount - listedCount);
  return {
    audience: audienceCount,
    listed: listedCount,
    sent: sentCount,
    failed: failedCount,
    skipped: skippedCount,
    waiting,
    remaining: notYetListed === null ? null : waiting + notYetListed,
  };
}

/**
 * Live progress and, afterwards, results: the kept counts, the rate over the last minute, ETA,
 * unsubscribes from this campaign's links, and, once it has finished, a timeline (its read
 * grows with the messages sent, so neither the poll nor the page after a pause waits for it).
 */
export async function campaignReport(staff: Staff, id: number, now = new Date()) {
  const campaign = await findCampaign(staff, id);
  const sending = campaign.status === "SENDING";
  const finished = campaign.status === "SENT" || campaign.status === "CANCELLED" || campaign.status === "STOPPED";
  const counts = campaignProgress(campaign);
  const [lastMinute, sentTimes, unsubscribeEvents, frequencySkips, unsubscribeReasons] = await Promise.all([
    // (campaignId, sentAt): one minute of the index. Outcomes are recorded per batch, so few distinct times.
    sending
      ? db.delivery.groupBy({ by: ["sentAt"], where: { campaignId: id, sentAt: { gte: new Date(now.getTime() - 60_000) } }, _count: { _all: true } })
      : Promise.resolve([]),
    // The whole send, grouped: a long read, made once the campaign has finished.
    finished
      ? readDb.delivery.groupBy({ by: ["sentAt"], where: { campaignId: id, sentAt: { not: null } }, _count: { _all: true }, orderBy: { sentAt: "asc" } })
      : Promise.resolve([]),
    db.consentEvent.findMany({
      where: { campaignId: id, changed: true, action: { in: [...UNSUBSCRIBE_ACTIONS] } },
      select: { contactId: true, createdAt: true },
    }),
    // Listed, then left out by a "send me less" choice at the re-check: (campaignId, status) walks the few skipped.
    db.delivery.count({ where: { campaignId: id, status: "SKIPPED", error: { contains: "FREQUENCY_LIMIT" } } }),
    countUnsubscribeReasons({ campaignId: id }),
  ]);
  const sentWithin = (ms: number) => lastMinute.filter((t) => t.sentAt && now.getTime() - t.sentAt.getTime() <= ms).reduce((n, t) => n + t._count._all, 0);
  const ratePerSecond = sending ? Math.max(sentWithin(10_000) / 10, sentWithin(60_000) / 60) : 0;
  const unsubscribed = new Set(unsubscribeEvents.map((e) => e.contactId)).size;
  return {
    campaign,
    counts,
    /** For a stopped campaign: those it was meant for that never got it (not listed yet, or listed and left unsent). */
    neverSent: campaign.status === "STOPPED" ? Math.max(0, (campaign.audienceCount ?? campaign.listedCount) - counts.sent - counts.failed - counts.skipped) : null,
    ratePerSecond,
    etaSeconds: ratePerSecond > 0 && counts.remaining !== null ? Math.ceil(counts.remaining / ratePerSecond) : null,
    unsubscribes: unsubscribed,
    /** People left out by their "send me less" choice: never listed (counted at the start) or skipped at dispatch (ADR 043). */
    leftOutByFrequency: campaign.frequencyLimitedCount + frequencySkips,
    /** Answers to the optional "why?" from this campaign's links. */
    unsubscribeReasons,
    unsubscribeRate: counts.sent > 0 ? unsubscribed / counts.sent : 0,
    timeline: !finished
      ? null
      : timeline(
          sentTimes.flatMap((t) => (t.sentAt ? [{ at: t.sentAt, n: t._count._all }] : [])),
          unsubscribeEvents.map((e) => ({ at: e.createdAt, n: 1 })),
        ),
  };
}

/** One bucket of a campaign's timeline: messages sent and unsubscribes in it, from its start (ISO time). */
export type TimelinePoint = { at: string; sent: number; unsubscribes: number };

/** Sent messages and unsubscribes in up to 24 equal time buckets from the first send to the last event. */
function timeline(sent: { at: Date; n: number }[], unsubscribes: { at: Date; n: number }[]): TimelinePoint[] {
  const times = [...sent, ...unsubscribes].map((p) => p.at.getTime());
  if (times.length === 0) return [];
  const start = Math.min(...times);
  const end = Math.max(...times);
  const buckets = 24;
  const width = Math.max(60_000, Math.ceil((end - start + 1) / buckets));
  const points: TimelinePoint[] = Array.from({ length: Math.ceil((end - start + 1) / width) }, (_, i) => ({
    at: new Date(start + i * width).toISOString(),
    sent: 0,
    unsubscribes: 0,
  }));
  for (const p of sent) points[Math.floor((p.at.getTime() - start) / width)].sent += p.n;
  for (const p of unsubscribes) points[Math.floor((p.at.getTime() - start) / width)].unsubscribes += p.n;
  return points;
}

/**
 * What a started campaign sent, for its results page: subject, preheader and the email as the
 * composer previews it, whose links act for nobody (invariant 10); null if it can no longer be
 * drawn (the unit has since lost a sender fact).
 */
export async function sentContent(staff: Staff, id: number) {
  const campaign = await findCampaign(staff, id);
  const unit = await db.businessUnit.findUniqueOrThrow({ where: { id: campaign.unitId } });
  const draft: CampaignDraft = {
    subject: campaign.subject,
    preheader: campaign.preheader,
    bodyMarkdown: campaign.bodyMarkdown,
    advertisementLabel: campaign.advertisementLabel,
    topicName: campaign.topic.name,
  };
  const rendered = await renderCampaignPreview(draft, unit).catch(() => null);
  return { subject: campaign.subject, preheader: campaign.preheader, html: rendered?.html ?? null };
}
