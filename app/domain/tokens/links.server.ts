import type { Channel } from "~/domain/consent/eligibility.ts";
import { getEnv } from "~/utils/env.server.ts";
import { getKeyring } from "./keyring.server.ts";
import { signLinkToken } from "./link-tokens.server.ts";

// The URLs people receive. Pages: /u/<token> (unsubscribe from one unit) and /p/<token>
// (open the preference center for that contact without a password).

export async function unsubscribeUrl(link: {
  contactId: number;
  unitId: number;
  topicId?: number | null;
  campaignId?: number | null;
  channel?: Channel;
}): Promise<string> {
  const token = await signLinkToken(await getKeyring(), { purpose: "unsubscribe", ...link });
  return `${getEnv().PUBLIC_URL}/u/${token}`;
}

export async function preferencesUrl(link: { contactId: number; unitId: number }): Promise<string> {
  const token = await signLinkToken(await getKeyring(), { purpose: "preferences", ...link });
  return `${getEnv().PUBLIC_URL}/p/${token}`;
}
