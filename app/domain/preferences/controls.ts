import type { Channel } from "~/domain/consent/channels.ts";

// Names of the preference center's controls, shared by the page (browser) and the save (server).
// Each control posts a "shown" marker with its name and the state the page showed it in, and its
// value only when checked: a control without a marker was not on the form and is never changed,
// and a control still as the page showed it was not changed by the person, so a newer choice made
// elsewhere (a link, a one-click) is never undone by an old page.

export const SHARING_PURPOSES = ["GROUP_COMPANIES", "THIRD_PARTY_OFFERS"] as const;
export type SharingPurpose = (typeof SHARING_PURPOSES)[number];

export const controlName = {
  topic: (topicId: number, channel: Channel) => `topic:${topicId}:${channel}`,
  unitOptOut: (unitId: number, channel: Channel) => `unit-optout:${unitId}:${channel}`,
  everywhere: (channel: Channel) => `everywhere-optout:${channel}`,
  sharing: (purpose: SharingPurpose) => `sharing:${purpose}`,
};

export type Control =
  | { kind: "topic"; topicId: number; channel: Channel }
  | { kind: "unit-optout"; unitId: number; channel: Channel }
  | { kind: "everywhere-optout"; channel: Channel }
  | { kind: "sharing"; purpose: SharingPurpose };

const CONTROL = /^(?:(topic|unit-optout):(\d{1,9}):(EMAIL|POSTAL|PHONE)|everywhere-optout:(EMAIL|POSTAL|PHONE)|sharing:(GROUP_COMPANIES|THIRD_PARTY_OFFERS))$/;

/** The control a posted name stands for, or null for anything the page never renders. */
export function parseControlName(name: string): Control | null {
  const match = CONTROL.exec(name);
  if (!match) return null;
  if (match[1] === "topic") return { kind: "topic", topicId: Number(match[2]), channel: match[3] as Channel };
  if (match[1] === "unit-optout") return { kind: "unit-optout", unitId: Number(match[2]), channel: match[3] as Channel };
  if (match[4]) return { kind: "everywhere-optout", channel: match[4] as Channel };
  return { kind: "sharing", purpose: match[5] as SharingPurpose };
}

/** The marker a control posts beside its value: its name and whether the page showed it on. */
export function shownMarker(name: string, shownOn: boolean): string {
  return `${name}=${shownOn ? "on" : "off"}`;
}

/** The control name and shown state of a marker, or null for a marker without a state (an old or crafted form). */
export function parseShownMarker(marker: string): { name: string; shownOn: boolean } | null {
  const match = /^(.*)=(on|off)$/.exec(marker);
  return match ? { name: match[1], shownOn: match[2] === "on" } : null;
}
