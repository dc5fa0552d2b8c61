import { z } from "zod";

/** Trimmed and lower-cased, local part and domain alike: the one form a Contact is stored in. */
export function normalizeEmail(input: string): string {
  return input.trim().toLowerCase();
}

// Deliberately plain: one @, no spaces, control characters or angle brackets, a dotted domain.
// Stricter checks reject real addresses; header injection is what this must stop (and a NUL,
// which PostgreSQL cannot store as text).
const ADDRESS = /^[^\s\p{Cc}@<>()[\]\\,;:"]+@[^\s\p{Cc}@<>()[\]\\,;:"]+\.[^\s\p{Cc}@<>()[\]\\,;:".]{2,}$/u;

export const EmailSchema = z
  .string({ error: "Enter an email address" })
  .transform(normalizeEmail)
  .pipe(
    z
      .string()
      .min(3, "Enter an email address")
      .max(254, "That email address is too long")
      .regex(ADDRESS, "Enter a valid email address, like name@example.com"),
  );

/** "jane@example.com" → "j•••@example.com": shown on pages reached by a link, never the full address. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at < 1) return "•••";
  return `${email[0]}•••${email.slice(at)}`;
}
