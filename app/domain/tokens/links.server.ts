import type { Channel } from "~/domain/consent/channels.ts";
import { getEnv } from "~/utils/env.server.ts";
import { getKeyring, type Keyring } from "./keyring.server.ts";
import { signLinkToken } from "./link-tokens.server.ts";
import { countSignature } from "./signature-counts.server.ts";

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
  return `${getEnv().PUBLIC_URL}/u/${signAndCount(keyring, { purpose: "unsubscribe", ...link })}`;
}

export function signedPreferencesUrl(keyring: Keyring, link: PreferencesLink): string {
  return `${getEnv().PUBLIC_URL}/p/${signAndCount(keyring, { purpose: "preferences", ...link })}`;
}

/**
 * Signs a link that goes out, and counts it against its key (the keys page shows how many
 * links a retirement or revocation touches). Keys read from the table carry their row id;
 * hand-made keyrings (tests, benchmarks) are not counted.
 */
function signAndCount(keyring: Keyring, input: Parameters<typeof signLinkToken>[1]): string {
  const token = signLinkToken(keyring, input);
  if (keyring.signing?.id !== undefined) countSignature(keyring.signing.id);
  return token;
}
