/**
 * Text as both databases store it. PostgreSQL's text cannot hold NUL (U+0000), which only broken
 * or hostile input carries: it becomes U+FFFD, the replacement character, on SQLite as well, so
 * what is stored and shown is the same on either.
 */
export function storableText(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text;
}
