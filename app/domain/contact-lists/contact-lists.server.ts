import { stringify } from "csv-stringify/sync";
import type { Prisma } from "~/generated/prisma/client.ts";
import { unitScope, type Staff } from "~/domain/accounts/staff.server.ts";
import { nothingFound } from "~/domain/not-found.ts";
import { countAudienceWithDetail, findAudienceBatch, type ContactDetail } from "~/domain/consent/audience.server.ts";
import { recordExport } from "~/domain/consent/changes.server.ts";
import type { PromotionalTarget } from "~/domain/consent/eligibility.ts";
import { CHANNEL_LABEL, offeredChannels } from "~/domain/consent/channels.ts";
import { inertCell, phoneCell } from "~/utils/csv-cells.ts";
import { toE164 } from "~/utils/phone-numbers.ts";
import { db, readDb } from "~/utils/db.server.ts";
import type { Requester } from "~/utils/request.server.ts";
import { EXPORT_CHANNELS, type ExportChannel } from "./list-channels.ts";

// Postal and phone lists: the contacts who may get postal mail (or a call) about one topic of
// one unit, as CSV for a mailing house or call centre. Who is on a list is the audience query, the
// same rule as every email campaign (docs/invariants.md, invariant 2); every export is a ledger event.


/** The list asked for cannot be exported as asked (archived topic, channel not offered): a 400. */
export class ContactListError extends Error {
  name = "ContactListError";
}

/** One exportable list: a unit's topic on a channel. */
export type ContactList = {
  unit: { id: number; slug: string; displayName: string };
  topic: { id: number; slug: string; name: string };
  channel: ExportChannel;
};

/** The lists this person may export, by unit: topics (not archived) that offer postal mail or phone. */
export async function exportableLists(staff: Staff): Promise<{ unit: ContactList["unit"]; lists: ContactList[] }[]> {
  const units = await db.businessUnit.findMany({
    where: unitScope(staff),
    orderBy: { displayName: "asc" },
    select: {
      id: true,
      slug: true,
      displayName: true,
      topics: {
        where: { archivedAt: null, OR: [{ offersPostal: true }, { offersPhone: true }] },
        orderBy: { name: "asc" },
        select: { id: true, slug: true, name: true, offersEmail: true, offersPostal: true, offersPhone: true },
      },
    },
  });
  return units.map(({ topics, ...unit }) => ({
    unit,
    lists: topics.flatMap(({ offersEmail, offersPostal, offersPhone, ...topic }) =>
      exportChannelsOf({ offersEmail, offersPostal, offersPhone }).map((channel) => ({ unit, topic, channel })),
    ),
  }));
}

function exportChannelsOf(topic: { offersEmail: boolean; offersPostal: boolean; offersPhone: boolean }): ExportChannel[] {
  return offeredChannels(topic).filter((c): c is ExportChannel => c !== "EMAIL");
}

/** The list named by unit and topic slugs; a unit or topic outside this person's units is NotFoundError. */
export async function findContactList(staff: Staff, ask: { unit: string; topic: string; channel: ExportChannel }): Promise<ContactList> {
  const topic = await db.topic.findFirst({
    where: { slug: ask.topic, unit: { slug: ask.unit, ...unitScope(staff) } },
    select: {
      id: true,
      slug: true,
      name: true,
      archivedAt: true,
      offersEmail: true,
      offersPostal: true,
      offersPhone: true,
      unit: { select: { id: true, slug: true, displayName: true } },
    },
  });
  if (!topic) nothingFound(`The list ${ask.unit}/${ask.topic}`);
  const label = CHANNEL_LABEL[ask.channel].toLowerCase();
  if (topic.archivedAt) throw new ContactListError(`The topic “${topic.name}” is archived, so its lists can no longer be exported.`);
  if (!exportChannelsOf(topic).includes(ask.channel)) {
    throw new ContactListError(`“${topic.name}” is not offered by ${label}, so it has no ${label} list. Pick a list from the form.`);
  }
  return { unit: topic.unit, topic: { id: topic.id, slug: topic.slug, name: topic.name }, channel: ask.channel };
}

const targetOf = (list: ContactList): PromotionalTarget => ({ unitId: list.unit.id, topicId: list.topic.id, channel: list.channel });

const detailOf = (channel: ExportChannel): ContactDetail => (channel === "POSTAL" ? "postalAddress" : "phone");

/** The contact detail a list needs: a postal address for postal mail, a phone number for calls. */
function hasContactDetail(channel: ExportChannel): Prisma.ContactWhereInput {
  return channel === "POSTAL"
    ? { AND: [{ postalAddress: { not: null } }, { NOT: { postalAddress: "" } }] }
    : { AND: [{ phone: { not: null } }, { NOT: { phone: "" } }] };
}

export type ContactListSize = {
  /** Contacts who may be contacted on the channel about the topic. */
  mayBeContacted: number;
  /** Of those, the ones with the address or number needed: the rows of the file. */
  rows: number;
  /** May be contacted, but no postal address (or phone number) is on file: left out of the file. */
  missingDetail: number;
};

export async function sizeOfContactList(list: ContactList, now = new Date(), maxContactId?: number): Promise<ContactListSize> {
  const size = await countAudienceWithDetail(readDb, targetOf(list), now, detailOf(list.channel), { maxContactId });
  return { mayBeContacted: size.audience, rows: size.withDetail, missingDetail: size.audience - size.withDetail };
}

export type ContactListExport = ContactListSize & {
  fileName: string;
  /** The CSV, produced batch by batch as it is read. */
  csv: ReadableStream<Uint8Array>;
};

/**
 * Records the export in the ledger, then streams the list as CSV in keyset batches, so a list
 * of 100,000 contacts never sits in memory. The access is recorded before the first row leaves:
 * an access log must not miss an export whose download was cut short.
 */
export async function exportContactList(
  staff: Staff,
  list: ContactList,
  requester: Requester,
  options: { now?: Date; batchSize?: number } = {},
): Promise<ContactListExport> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 1000;
  // Frozen bounds: people added while the file streams are not in it, so it matches the count.
  // A keyed read of the newest id: Prisma's aggregate _max walks the whole table.
  const maxContactId = (await db.contact.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0;
  const size = await sizeOfContactList(list, now, maxContactId);
  await recordExport(
    { unitId: list.unit.id, topicId: list.topic.id, channel: list.channel, rows: size.rows },
    { source: "ADMIN", actor: `user:${staff.id}`, ip: requester.ip, userAgent: requester.userAgent, now },
  );

  const encoder = new TextEncoder();
  let afterContactId = 0;
  let headerSent = false;
  // highWaterMark 0 (below): a batch is read when the reader asks for it, never ahead, so the rule
  // is asked as each batch goes out; a read-ahead raced an opt-out made meanwhile.
  const csv = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(stringify([csvHeader(list.channel)])));
        return;
      }
      // Each batch asks the rule again: someone who opts out while the file streams is left out.
      for (;;) {
        const audience = await findAudienceBatch(db, targetOf(list), now, { afterContactId, maxContactId, take: batchSize });
        if (audience.length === 0) {
          controller.close();
          return;
        }
        afterContactId = audience[audience.length - 1].id;
        const batch = await db.contact.findMany({
          where: { id: { in: audience.map((member) => member.id) }, ...hasContactDetail(list.channel) },
          orderBy: { id: "asc" },
          select: {
            id: true,
            name: true,
            email: true,
            postalAddress: true,
            phone: true,
            subscriptions: {
              where: { topicId: list.topic.id, channel: list.channel },
              select: { basis: true, consentedAt: true, expiresAt: true },
            },
          },
        });
        // People without the detail add no rows: read on until a batch has some.
        if (batch.length === 0) continue;
        controller.enqueue(encoder.encode(stringify(batch.map((contact) => csvRow(list.channel, contact)))));
        return;
      }
    },
  }, { highWaterMark: 0 });

  const day = now.toISOString().slice(0, 10);
  const fileName = `${list.unit.slug}-${list.topic.slug}-${list.channel.toLowerCase()}-${day}.csv`.replace(/[^\w.-]+/g, "-");
  return { ...size, fileName, csv };
}

export function csvHeader(channel: ExportChannel): string[] {
  return ["name", "email", channel === "POSTAL" ? "postal_address" : "phone", "basis", "consented_at", "consent_expires_at"];
}

type ExportedContact = {
  name: string | null;
  email: string;
  postalAddress: string | null;
  phone: string | null;
  subscriptions: { basis: string; consentedAt: Date; expiresAt: Date | null }[];
};

export function csvRow(channel: ExportChannel, contact: ExportedContact): string[] {
  const consent = contact.subscriptions[0];
  const [name, email, detail, ...rest] = [
    contact.name ?? "",
    contact.email,
    (channel === "POSTAL" ? contact.postalAddress : contact.phone) ?? "",
    // The spelling the CSV import takes, so a list can go back in.
    consent ? consent.basis.toLowerCase() : "",
    consent ? consent.consentedAt.toISOString() : "",
    consent?.expiresAt ? consent.expiresAt.toISOString() : "",
  ];
  return [inertCell(name), inertCell(email), channel === "PHONE" ? phoneCell(e164OrAsStored(detail)) : inertCell(detail), ...rest.map(inertCell)];
}

/** Numbers stored before entry was normalised (ADR 056) are written in E.164 when they can be read; otherwise as stored, guarded. */
function e164OrAsStored(phone: string): string {
  if (!phone) return phone;
  const reading = toE164(phone);
  return reading.ok ? reading.e164 : phone;
}
