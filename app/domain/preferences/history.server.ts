import { db } from "~/utils/db.server.ts";
import { formatDay } from "~/utils/format.ts";
import { FREQUENCY_PHRASE, isFrequencyOption } from "~/domain/consent/frequency.ts";

export const HISTORY_PAGE_SIZE = 20;

const CHANNEL_WORDS = { EMAIL: "email", POSTAL: "postal mail", PHONE: "phone calls" } as const;
const PURPOSE_WORDS = {
  GROUP_COMPANIES: "other companies of the group marketing to you",
  THIRD_PARTY_OFFERS: "offers from selected third parties",
} as const;

type Names = { units: Map<number, string>; topics: Map<number, string>; campaigns: Map<number, string> };
type Event = {
  id: number;
  action: string;
  source: string;
  changed: boolean;
  unitId: number | null;
  topicId: number | null;
  channel: keyof typeof CHANNEL_WORDS | null;
  campaignId: number | null;
  detail: string | null;
  ip: string | null;
  createdAt: Date;
};

/** One page of the contact's own ledger, newest first, each entry as a sentence. */
export async function loadHistory(contactId: number, page: number) {
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
    entries: events.map((event) => ({ id: event.id, text: describeEvent(event, names), at: event.createdAt, ip: event.ip, changed: event.changed })),
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

/** "You unsubscribed from Example Tax promotional email via the link in ‘Spring offers’." */
export function describeEvent(event: Event, names: Names): string {
  const unit = (event.unitId && names.units.get(event.unitId)) || "a brand that no longer exists";
  const topic = (event.topicId && names.topics.get(event.topicId)) || "a topic that no longer exists";
  const channel = event.channel ? CHANNEL_WORDS[event.channel] : "email";
  const detail = event.detail ? (JSON.parse(event.detail) as Record<string, string>) : {};
  const what = ((): string => {
    switch (event.action) {
      case "SUBSCRIBE":
        return detail.resubscribed ? `You subscribed again to “${topic}” from ${unit} by ${channel}` : `You subscribed to “${topic}” from ${unit} by ${channel}`;
      case "UNSUBSCRIBE":
        return `You unsubscribed from “${topic}” from ${unit} by ${channel}`;
      case "UNIT_OPT_OUT":
        return `You unsubscribed from all ${unit} promotional ${channel}`;
      case "UNIT_OPT_IN":
        return `You allowed ${unit} promotional ${channel} again`;
      case "GLOBAL_OPT_OUT":
        return `You unsubscribed from promotional ${channel} from all our brands`;
      case "GLOBAL_OPT_IN":
        return `You allowed promotional ${channel} from our brands again`;
      case "SNOOZE":
        return `You paused ${unit} promotional email until ${day(detail.until)}`;
      case "SNOOZE_END":
        return `You resumed ${unit} promotional email`;
      case "FREQUENCY_SET":
        return isFrequencyOption(detail.frequency)
          ? `You chose to get ${FREQUENCY_PHRASE[detail.frequency]} from ${unit}`
          : `You changed how often ${unit} emails you`;
      case "SHARING_GRANT":
        return `You agreed to ${PURPOSE_WORDS[detail.purpose as keyof typeof PURPOSE_WORDS] ?? "data sharing"}`;
      case "SHARING_WITHDRAW":
        return `You withdrew your agreement to ${PURPOSE_WORDS[detail.purpose as keyof typeof PURPOSE_WORDS] ?? "data sharing"}`;
      case "SUPPRESS":
        return "Email to your address was stopped";
      case "UNSUPPRESS":
        return "Email to your address was allowed again";
      default:
        return "Your preferences changed";
    }
  })();
  const how = ((): string => {
    const campaign = event.campaignId ? names.campaigns.get(event.campaignId) : undefined;
    switch (event.source) {
      case "ONE_CLICK":
        return campaign ? ` with the unsubscribe button of your mail app, on ‘${campaign}’` : " with the unsubscribe button of your mail app";
      case "LINK_PAGE":
        return campaign ? ` via the link in ‘${campaign}’` : " via a link in one of our emails";
      case "PREFERENCE_CENTER":
        return " in your preference center";
      case "IMPORT":
        return " (recorded when your details were brought into this system)";
      case "ADMIN":
        return " (changed by our staff on your behalf)";
      case "API":
        return ` (through ${unit}'s systems)`;
      case "BOUNCE":
        return " because mail to your address bounced";
      case "COMPLAINT":
        return " because one of our emails was reported as spam";
      case "EXPIRY":
        return " because the consent expired";
      default:
        return "";
    }
  })();
  return `${what}${how}.${event.changed ? "" : " Nothing changed: this was already so."}`;
}

function day(iso: string | undefined): string {
  return iso ? formatDay(iso) : "a later date";
}
