import type { Channel } from "~/domain/consent/eligibility.ts";
import { getEnv } from "~/utils/env.server.ts";
import { getKeyring, type Keyring } from "./keyring.server.ts";
import { signLinkToken } from "./link-tokens.server.ts";

// The URLs people receive. Pages: /u/<token> (unsubscribe from one unit) and /p/<token>
// (open the preference center for that contact without a password).

type UnsubscribeLink = { contactId: number; unitId: number; topicId?: number | null; campaignId?: number | null; channel?: Channel };
type PreferencesLink = { contactId: number; unitId: number };

export async function unsubscribeUrl(link: UnsubscribeLink): Promise<string> {
  return signedUnsubscribeUrl(await getKeyring(), link);
}

export async function preferencesUrl(link: PreferencesLink): Promise<string> {
  return signedPreferencesUrl(await getKeyring(), link);
}

/** unsubscribeUrl with a keyring in hand: a campaign signs a whole step's links with one. */
export function signedUnsubscribeUrl(keyring: Keyring, link: UnsubscribeLink): string {
  return `${getEnv().PUBLIC_URL}/u/${signLinkToken(keyring, { purpose: "unsubscribe", ...link })}`;
}

export function signedPreferencesUrl(keyring: Keyring, link: PreferencesLink): string {
  return `${getEnv().PUBLIC_URL}/p/${signLinkToken(keyring, { purpose: "preferences", ...link })}`;
}
