import type { Channel } from "~/domain/consent/channels.ts";
import type { FrequencyOption } from "~/domain/consent/frequency.ts";

// What stands above a topic's own choice on /preferences (issue 20): a ticked topic that an
// all-brands opt-out, the unit's opt-out or a pause keeps silent is not "on", and the page must
// say so in place, with the one step that lifts it. The order is the sender's: the widest wins.

export type Override =
  | { kind: "everywhere" }
  | { kind: "unit" }
  | { kind: "paused"; until: Date | string }
  | { kind: "less-often"; frequency: Exclude<FrequencyOption, "EVERYTHING"> };

type UnitState = { optedOut: Record<Channel, boolean>; pausedUntil: Date | string | null; frequency: FrequencyOption };

/** What overrides a topic of this unit on this channel for this person, or null when their topic choice alone decides. */
export function overrideOf(unit: UnitState, optedOutEverywhere: Record<Channel, boolean>, channel: Channel): Override | null {
  if (optedOutEverywhere[channel]) return { kind: "everywhere" };
  if (unit.optedOut[channel]) return { kind: "unit" };
  // Pauses and "send me less" are about promotional email only (ADR 043).
  if (channel !== "EMAIL") return null;
  if (unit.pausedUntil) return { kind: "paused", until: unit.pausedUntil };
  if (unit.frequency !== "EVERYTHING") return { kind: "less-often", frequency: unit.frequency };
  return null;
}
