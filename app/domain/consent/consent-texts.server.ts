import type { Db } from "~/utils/db.server.ts";
import { db } from "~/utils/db.server.ts";
import { lockTable } from "~/utils/row-locks.server.ts";

// The wording a person agrees to on the preference center. A company starting from an empty
// database gets this first version of each, so every consent it records names the words shown;
// a new version (never an edit: a used text is immutable) changes the wording later.

export const DEFAULT_CONSENT_TEXTS = [
  { key: "preference-center", body: "I would like to receive the promotional messages I have selected, on the channels I have selected. I can change this at any time." },
  { key: "sharing-group-companies", body: "Other companies of our group may send me their own offers." },
  { key: "sharing-third-party-offers", body: "I would like to receive offers from carefully selected third parties." },
];

/** Creates version 1 of each consent text that has no version yet, once however many processes start at once (ADR 039). */
export async function ensureConsentTexts(client: Db = db): Promise<void> {
  await client.$transaction(async (tx) => {
    await lockTable(tx, "ConsentText");
    const existing = await tx.consentText.findMany({ select: { key: true }, distinct: ["key"] });
    const have = new Set(existing.map((t) => t.key));
    for (const text of DEFAULT_CONSENT_TEXTS) {
      if (!have.has(text.key)) await tx.consentText.create({ data: { ...text, version: 1 } });
    }
  });
}
