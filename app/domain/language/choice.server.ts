import { readSession } from "~/domain/accounts/sessions.server.ts";
import type { Language } from "~/i18n/languages.ts";
import { db } from "~/utils/db.server.ts";

// A person's language and time zone live on their contact (issue 20 point 6: remembered on the
// contact, no tracking cookie). Only a request that already knows its person stores a choice: a
// signed-in subscriber, a link session, or a verified link's own action.

export type ContactLanguage = { contactId: number; locale: string | null; timeZone: string | null };

/** The contact the request's session speaks for (a link session, or a subscriber's account), or null. */
export async function contactOfSession(request: Request): Promise<ContactLanguage | null> {
  const session = await readSession(request);
  if (!session) return null;
  const contactId =
    session.contactId ??
    (session.userId ? (await db.user.findUnique({ where: { id: session.userId }, select: { contactId: true } }))?.contactId ?? null : null);
  return contactId ? contactLanguage(contactId) : null;
}

/** A contact's stored language and time zone, or null for one that is gone. */
export async function contactLanguage(contactId: number): Promise<ContactLanguage | null> {
  const contact = await db.contact.findUnique({ where: { id: contactId }, select: { id: true, locale: true, timeZone: true } });
  return contact ? { contactId: contact.id, locale: contact.locale, timeZone: contact.timeZone } : null;
}

/** An IANA zone this runtime knows ("Europe/Berlin"), else null: the browser's word is not trusted blindly. */
export function knownTimeZone(value: unknown): string | null {
  if (typeof value !== "string" || value.length === 0 || value.length > 64) return null;
  try {
    return new Intl.DateTimeFormat("en", { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/**
 * Stores the person's choice of language, and the browser's time zone when it sent one (without
 * JavaScript it sends none, and the stored zone stays). One write: nothing is read first.
 */
export async function chooseLanguage(contactId: number, language: Language, timeZone?: string | null): Promise<void> {
  const zone = knownTimeZone(timeZone);
  await db.contact.updateMany({ where: { id: contactId }, data: { locale: language, ...(zone ? { timeZone: zone } : {}) } });
}

/**
 * A new account's time zone, from the browser that confirmed the sign-up: its contact gets it when
 * the browser sent one. A zone the person's contact already has from an earlier choice is kept.
 */
export async function noteTimeZone(userId: number, timeZone: string | null | undefined): Promise<void> {
  const zone = knownTimeZone(timeZone);
  if (!zone) return;
  const user = await db.user.findUnique({ where: { id: userId }, select: { contactId: true } });
  if (user?.contactId) await db.contact.updateMany({ where: { id: user.contactId, timeZone: null }, data: { timeZone: zone } });
}
