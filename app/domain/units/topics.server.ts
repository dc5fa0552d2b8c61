import { z } from "zod";
import { recordAudit, type AuditActor } from "~/domain/audit/audit.server.ts";
import { nothingFound } from "~/domain/not-found.ts";
import { againIfClaimedMeanwhile } from "~/utils/row-locks.server.ts";
import { db, type Tx } from "~/utils/db.server.ts";
import { CHANNEL_LABEL, offeredChannels, type Channel } from "~/domain/consent/channels.ts";
import { RESERVED_SLUGS, UNIT_SLUG_RULE } from "./unit-settings.server.ts";

// Topics (promotional subscription types) as admins set them up. A topic with history is never
// deleted: archiving stops new subscriptions (consent core, imports, preference center) and new
// campaigns (composer, schedule, send) while its subscriptions, campaigns and ledger stay. A
// topic nothing refers to yet (a typo, say) can be deleted. Every change writes its audit entry
// in the same transaction.

const SLUG = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

export type TopicField = "slug" | "name" | "description" | "channels" | "form";
export type TopicFieldErrors = Partial<Record<TopicField, string>>;
export type TopicSettings = { name: string; description: string; offersEmail: boolean; offersPostal: boolean; offersPhone: boolean };

/** A request that cannot be done as asked: a 4xx with this message, on `field` when it names one. */
export class TopicAdminError extends Error {
  name = "TopicAdminError";
  constructor(
    message: string,
    readonly field: TopicField = "form",
  ) {
    super(message);
  }
}

/** A ticked checkbox sends "on"; an unticked one sends nothing. */
const Ticked = z.literal("on").optional();

/** The topic form as its pages send it (the slug only on the new page); checkTopicForm checks it. */
export const TopicForm = z.object({
  slug: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  offersEmail: Ticked,
  offersPostal: Ticked,
  offersPhone: Ticked,
});
export type TopicFormValues = z.infer<typeof TopicForm>;

/** Checks the topic form; each problem is named on its field. */
export function checkTopicForm(fields: TopicFormValues, options: { creating: boolean }): { ok: true; slug: string | null; settings: TopicSettings } | { ok: false; errors: TopicFieldErrors } {
  const errors: TopicFieldErrors = {};
  let slug: string | null = null;
  if (options.creating) {
    slug = (fields.slug ?? "").trim().toLowerCase();
    if (!slug) errors.slug = `Give the topic a slug: ${UNIT_SLUG_RULE}, like product-news. Import files name topics by it, so it cannot change later.`;
    else if (slug.length < 2 || slug.length > 40) errors.slug = "The slug must be 2 to 40 characters long.";
    else if (!SLUG.test(slug)) errors.slug = `The slug may contain only ${UNIT_SLUG_RULE}.`;
    else if (RESERVED_SLUGS.has(slug)) errors.slug = `“${slug}” names a page of its own (…/topics/${slug}): choose another slug.`;
  }
  const name = (fields.name ?? "").trim();
  if (!name) errors.name = "Give the topic a name: people see it in the preference center and in every email's footer.";
  else if (CONTROL.test(name)) errors.name = "The name must be one line without control characters.";
  else if ([...name].length > 80) errors.name = "Shorten the name to 80 characters or fewer.";
  const description = (fields.description ?? "").trim().replace(/\s*\r?\n\s*/g, " ");
  if (CONTROL.test(description)) errors.description = "The description contains an invisible control character: retype it.";
  else if ([...description].length > 300) errors.description = "Shorten the description to 300 characters or fewer.";
  const settings: TopicSettings = {
    name,
    description,
    offersEmail: fields.offersEmail === "on",
    offersPostal: fields.offersPostal === "on",
    offersPhone: fields.offersPhone === "on",
  };
  if (offeredChannels(settings).length === 0) errors.channels = "Choose at least one channel the topic is offered on.";
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, slug, settings };
}

async function unitBySlug(client: Tx | typeof db, unitSlug: string) {
  return (await client.businessUnit.findUnique({ where: { slug: unitSlug }, select: { id: true, slug: true, displayName: true } })) ?? nothingFound(`The unit “${unitSlug}”`);
}

async function topicOf(client: Tx | typeof db, unitSlug: string, topicSlug: string) {
  const unit = await unitBySlug(client, unitSlug);
  const topic = await client.topic.findUnique({ where: { unitId_slug: { unitId: unit.id, slug: topicSlug } } });
  return { unit, topic: topic ?? nothingFound(`The topic “${topicSlug}” of ${unit.slug}`) };
}

/** How much history refers to the topic: any at all means it can be archived but never deleted. */
async function topicHistory(client: Tx | typeof db, topicId: number) {
  const [subscriptions, activeByChannel, campaigns, scheduled, sending, events] = await Promise.all([
    client.subscription.count({ where: { topicId } }),
    client.subscription.groupBy({ by: ["channel"], where: { topicId, status: "SUBSCRIBED" }, _count: { _all: true } }),
    client.campaign.count({ where: { topicId } }),
    client.campaign.findMany({ where: { topicId, status: "SCHEDULED" }, select: { id: true, name: true, scheduledAt: true }, orderBy: { scheduledAt: "asc" } }),
    client.campaign.count({ where: { topicId, status: { in: ["SENDING", "PAUSED"] } } }),
    client.consentEvent.count({ where: { topicId } }),
  ]);
  const subscribedOn = Object.fromEntries(activeByChannel.map((row) => [row.channel, row._count._all])) as Partial<Record<Channel, number>>;
  return { subscriptions, subscribedOn, campaigns, scheduled, sending, events, deletable: subscriptions === 0 && campaigns === 0 && events === 0 };
}

/** The topic for its edit page, with its history; NotFoundError when the unit or topic is unknown. */
export async function topicForAdmin(unitSlug: string, topicSlug: string) {
  const { unit, topic } = await topicOf(db, unitSlug, topicSlug);
  return { unit, topic: { ...topic, channels: offeredChannels(topic) }, history: await topicHistory(db, topic.id) };
}

export async function createTopic(actor: AuditActor, unitSlug: string, form: TopicFormValues) {
  const parsed = checkTopicForm(form, { creating: true });
  if (!parsed.ok) return parsed;
  const slug = parsed.slug!;
  return againIfClaimedMeanwhile(() =>
    db.$transaction(async (tx) => {
      const unit = await unitBySlug(tx, unitSlug);
      if (await tx.topic.findUnique({ where: { unitId_slug: { unitId: unit.id, slug } }, select: { id: true } })) {
        return { ok: false as const, errors: { slug: `${unit.displayName} already has a topic with the slug ${slug}: choose another.` } };
      }
      const topic = await tx.topic.create({ data: { unitId: unit.id, slug, ...parsed.settings }, select: { id: true } });
      await recordAudit(tx, actor, { action: "topic.create", target: `topic:${topic.id}`, detail: { unit: unit.slug, slug, name: parsed.settings.name, channels: offeredChannels(parsed.settings) } });
      return { ok: true as const, slug, changed: [] as string[] };
    }),
  );
}

/**
 * Renames, describes and sets the channels of a topic. A channel people are subscribed on
 * cannot be taken away (their consent would vanish from the preference center while it still
 * counted): archive the topic and start a new one instead.
 */
export async function updateTopic(actor: AuditActor, unitSlug: string, topicSlug: string, form: TopicFormValues) {
  const parsed = checkTopicForm(form, { creating: false });
  if (!parsed.ok) return parsed;
  return db.$transaction(async (tx) => {
    const { unit, topic } = await topicOf(tx, unitSlug, topicSlug);
    const history = await topicHistory(tx, topic.id);
    const dropped = offeredChannels(topic).filter((channel) => !offeredChannels(parsed.settings).includes(channel) && (history.subscribedOn[channel] ?? 0) > 0);
    if (dropped.length > 0) {
      const which = dropped.map((channel) => `${(history.subscribedOn[channel] ?? 0).toLocaleString("en-GB")} by ${CHANNEL_LABEL[channel].toLowerCase()}`).join(" and ");
      return {
        ok: false as const,
        errors: { channels: `People are subscribed to this topic on the channel you unticked (${which}): it stays offered while they are. To stop it, archive the topic and create a new one.` } as TopicFieldErrors,
      };
    }
    const changed = (Object.keys(parsed.settings) as (keyof TopicSettings)[]).filter((field) => topic[field] !== parsed.settings[field]);
    if (changed.length > 0) {
      await tx.topic.update({ where: { id: topic.id }, data: parsed.settings });
      await recordAudit(tx, actor, { action: "topic.update", target: `topic:${topic.id}`, detail: { unit: unit.slug, slug: topic.slug, changed } });
    }
    return { ok: true as const, slug: topic.slug, changed };
  });
}

/**
 * Archives a topic: no new subscriptions or campaigns from now on; what it has stays. Refused
 * while a campaign on it is scheduled (cancel the schedule first), so no campaign ever starts
 * on an archived topic. Campaigns already sending finish: their audience was fixed at start.
 */
export async function archiveTopic(actor: AuditActor, unitSlug: string, topicSlug: string, now = new Date()) {
  return db.$transaction(async (tx) => {
    const { unit, topic } = await topicOf(tx, unitSlug, topicSlug);
    if (topic.archivedAt) return { changed: false, sending: 0 };
    const history = await topicHistory(tx, topic.id);
    if (history.scheduled.length > 0) {
      const names = history.scheduled.map((c) => `“${c.name}” (#${c.id})`).join(", ");
      throw new TopicAdminError(
        `${history.scheduled.length === 1 ? "A campaign is" : `${history.scheduled.length} campaigns are`} scheduled on this topic: ${names}. Cancel ${history.scheduled.length === 1 ? "its schedule" : "their schedules"} (or let ${history.scheduled.length === 1 ? "it" : "them"} go out) before archiving.`,
      );
    }
    await tx.topic.update({ where: { id: topic.id }, data: { archivedAt: now } });
    await recordAudit(tx, actor, { action: "topic.archive", target: `topic:${topic.id}`, detail: { unit: unit.slug, slug: topic.slug, subscriptions: history.subscriptions, sending: history.sending } });
    return { changed: true, sending: history.sending };
  });
}

export async function unarchiveTopic(actor: AuditActor, unitSlug: string, topicSlug: string) {
  return db.$transaction(async (tx) => {
    const { unit, topic } = await topicOf(tx, unitSlug, topicSlug);
    if (!topic.archivedAt) return { changed: false };
    await tx.topic.update({ where: { id: topic.id }, data: { archivedAt: null } });
    await recordAudit(tx, actor, { action: "topic.unarchive", target: `topic:${topic.id}`, detail: { unit: unit.slug, slug: topic.slug } });
    return { changed: true };
  });
}

/** Deletes a topic nothing refers to (no subscription, campaign or ledger event); anything else is archived instead. */
export async function deleteTopic(actor: AuditActor, unitSlug: string, topicSlug: string) {
  return db.$transaction(async (tx) => {
    const { unit, topic } = await topicOf(tx, unitSlug, topicSlug);
    const history = await topicHistory(tx, topic.id);
    if (!history.deletable) {
      throw new TopicAdminError("This topic has history (subscriptions, campaigns or ledger events), so it cannot be deleted: archive it instead.");
    }
    await tx.topic.delete({ where: { id: topic.id } });
    await recordAudit(tx, actor, { action: "topic.delete", target: `topic:${topic.id}`, detail: { unit: unit.slug, slug: topic.slug, name: topic.name } });
  });
}
