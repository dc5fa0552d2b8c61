import { db } from "~/utils/db.server.ts";
import { formatDayFor, type Reader } from "~/utils/format.ts";
import { isFrequencyOption } from "~/domain/consent/frequency.ts";
import { tFor } from "~/i18n/i18n.ts";
import { DEFAULT_LANGUAGE, isLanguage } from "~/i18n/languages.ts";

export const HISTORY_PAGE_SIZE = 20;


type Names = { units: Map<number, string>; topics: Map<number, string>; campaigns: Map<number, string> };
type Event = {
  id: number;
  action: string;
  source: string;
  changed: boolean;
  unitId: number | null;
  topicId: number | null;
  channel: "EMAIL" | "POSTAL" | "PHONE" | null;
  campaignId: number | null;
  detail: string | null;
  ip: string | null;
  createdAt: Date;
};

/** One page of the contact's own ledger, newest first, each entry as a sentence. */
export async function loadHistory(contactId: number, page: number, reader: Reader = { language: DEFAULT_LANGUAGE }) {
  const [total, events] = await Promise.all([
    db.consentEvent.count({ where: { contactId } }),
    db.consentEvent.findMany({
      where: { contactId },
      orderBy: { id: "desc" },
      skip: (page - 1) * HISTORY_PAGE_SIZE,
      take: HISTORY_PAGE_SIZE,
      select: { id: true, action: true, source: true, changed: true, unitId: true, topicId: true, channel: true, campaignId: true, detail: true, ip: true, createdAt: true },
    }),
  ]);
  const names = await namesFor(events);
  return {
    total,
    page,
    pages: Math.max(1, Math.ceil(total / HISTORY_PAGE_SIZE)),
    entries: events.map((event) => ({ id: event.id, text: describeEvent(event, names, reader), at: event.createdAt, ip: event.ip, changed: event.changed })),
  };
}

async function namesFor(events: Event[]): Promise<Names> {
  const ids = (pick: (e: Event) => number | null) => [...new Set(events.map(pick).filter((id): id is number => id !== null))];
  const [units, topics, campaigns] = await Promise.all([
    db.businessUnit.findMany({ where: { id: { in: ids((e) => e.unitId) } }, select: { id: true, displayName: true } }),
    db.topic.findMany({ where: { id: { in: ids((e) => e.topicId) } }, select: { id: true, name: true } }),
    db.campaign.findMany({ where: { id: { in: ids((e) => e.campaignId) } }, select: { id: true, subject: true } }),
  ]);
  return {
    units: new Map(units.map((u) => [u.id, u.displayName])),
    topics: new Map(topics.map((t) => [t.id, t.name])),
    campaigns: new Map(campaigns.map((c) => [c.id, c.subject])),
  };
}

/** "You unsubscribed from Example Tax promotional email via the link in ‘Spring offers’." — in the reader's language, days on their calendar. */
export function describeEvent(event: Event, names: Names, reader: Reader = { language: DEFAULT_LANGUAGE }): string {
  const t = tFor(isLanguage(reader.language) ? reader.language : DEFAULT_LANGUAGE);
  const unit = (event.unitId && names.units.get(event.unitId)) || t("history.unknownUnit");
  const topic = (event.topicId && names.topics.get(event.topicId)) || t("history.unknownTopic");
  const channel = t(`history.channel.${event.channel ?? "EMAIL"}`);
  const detail = event.detail ? (JSON.parse(event.detail) as Record<string, string>) : {};
  const purpose = detail.purpose === "GROUP_COMPANIES" || detail.purpose === "THIRD_PARTY_OFFERS" ? t(`history.purpose.${detail.purpose}`) : t("history.purpose.other");
  const what = ((): string => {
    switch (event.action) {
      case "SUBSCRIBE":
        return t(detail.resubscribed ? "history.what.RESUBSCRIBE" : "history.what.SUBSCRIBE", { topic, unit, channel });
      case "UNSUBSCRIBE":
      case "UNIT_OPT_OUT":
      case "UNIT_OPT_IN":
      case "GLOBAL_OPT_OUT":
      case "GLOBAL_OPT_IN":
      case "SNOOZE_END":
        return t(`history.what.${event.action}`, { topic, unit, channel });
      case "SNOOZE":
        return t("history.what.SNOOZE", { unit, day: detail.until ? formatDayFor(detail.until, reader) : t("history.laterDate") });
      case "FREQUENCY_SET":
        return isFrequencyOption(detail.frequency) ? t("history.what.FREQUENCY_SET", { unit, frequency: t(`history.frequency.${detail.frequency}`) }) : t("history.what.FREQUENCY_CHANGED", { unit });
      case "SHARING_GRANT":
      case "SHARING_WITHDRAW":
        return t(`history.what.${event.action}`, { purpose });
      case "SUPPRESS":
      case "UNSUPPRESS":
        return t(`history.what.${event.action}`);
      default:
        return t("history.what.other");
    }
  })();
  const how = ((): string => {
    const campaign = event.campaignId ? names.campaigns.get(event.campaignId) : undefined;
    switch (event.source) {
      case "ONE_CLICK":
      case "LINK_PAGE":
        return campaign ? t(`history.how.${event.source}_CAMPAIGN`, { campaign }) : t(`history.how.${event.source}`);
      case "PREFERENCE_CENTER":
      case "IMPORT":
      case "ADMIN":
      case "API":
      case "BOUNCE":
      case "COMPLAINT":
      case "EXPIRY":
        return t(`history.how.${event.source}`, { unit });
      default:
        return "";
    }
  })();
  return `${t("history.sentence", { what, how })}${event.changed ? "" : t("history.unchanged")}`;
}
