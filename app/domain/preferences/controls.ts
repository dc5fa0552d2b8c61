import { z } from "zod";
import type { Channel } from "~/domain/consent/channels.ts";
import { repeated } from "~/utils/form-schemas.ts";

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

export const OUT_OF_DATE_PAGE = "This page is out of date, so nothing was saved. Please reload it and make your choice again.";

/** A save as the page posted it: what each control showed, and which boxes are ticked now. */
export type PreferencesSubmission = {
  /** Control name → whether the page showed it on. */
  shown: Map<string, boolean>;
  checked: Set<string>;
};

/**
 * A save as the page posts it, read into a PreferencesSubmission: a "shown" marker per control on
 * the form, and the control's own field, "on", only when ticked. A marker without the state the
 * page showed comes from an old or crafted page: the save is refused with OUT_OF_DATE_PAGE.
 */
export const PreferencesSaveForm = z
  .looseObject({
    intent: z.literal("save"),
    shown: repeated(z.array(z.string())),
  })
  .transform((form, ctx) => {
    const markers = form.shown.map(parseShownMarker);
    if (markers.some((marker) => marker === null)) {
      ctx.addIssue({ code: "custom", path: ["shown"], message: OUT_OF_DATE_PAGE });
      return z.NEVER;
    }
    const shown = new Map(markers.map((marker) => [marker!.name, marker!.shownOn]));
    const fields = form as Record<string, unknown>;
    // A control's first value counts, as a browser posts it once.
    const ticked = (name: string) => Object.hasOwn(fields, name) && [fields[name]].flat()[0] === "on";
    return { intent: form.intent, shown, checked: new Set([...shown.keys()].filter(ticked)) } satisfies PreferencesSubmission & { intent: "save" };
  });
