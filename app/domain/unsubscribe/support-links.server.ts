import { db } from "~/utils/db.server.ts";
import { normalizeEmail } from "~/domain/consent/email.ts";
import { preferencesUrl, unsubscribeUrl } from "~/domain/tokens/links.server.ts";

/** Freshly signed links for a person who lost their email; support staff read them out or paste them. */
export async function supportLinks(input: { email: string; unitSlug: string; topicSlug?: string }) {
  const email = normalizeEmail(input.email);
  const contact = await db.contact.findUnique({ where: { email }, select: { id: true } });
  if (!contact) throw new Error(`No contact has the address ${email}.`);
  const unit = await db.businessUnit.findUnique({ where: { slug: input.unitSlug }, select: { id: true } });
  if (!unit) throw new Error(`There is no business unit "${input.unitSlug}".`);
  let topicId: number | null = null;
  if (input.topicSlug) {
    const topic = await db.topic.findUnique({ where: { unitId_slug: { unitId: unit.id, slug: input.topicSlug } }, select: { id: true } });
    if (!topic) throw new Error(`Unit "${input.unitSlug}" has no topic "${input.topicSlug}".`);
    topicId = topic.id;
  }
  return {
    unsubscribe: await unsubscribeUrl({ contactId: contact.id, unitId: unit.id, topicId }),
    preferences: await preferencesUrl({ contactId: contact.id, unitId: unit.id }),
  };
}
