/** Where people land after signing in when no page asked for them. */
export const DEFAULT_AFTER_SIGN_IN = "/preferences";

/** Subscribers land on their preferences; marketers and admins on their campaigns. */
export function homeFor(role: "SUBSCRIBER" | "MARKETER" | "ADMIN"): string {
  return role === "SUBSCRIBER" ? DEFAULT_AFTER_SIGN_IN : "/campaigns";
}

/**
 * A redirect target taken from a query string or form is used only when it is a path on this
 * site: "//evil.example", "/\\evil.example" and absolute URLs fall back to the default.
 */
export function safeRedirect(target: unknown, fallback: string = DEFAULT_AFTER_SIGN_IN): string {
  if (typeof target !== "string" || target.length === 0 || target.length > 2000) return fallback;
  if (!target.startsWith("/") || target.startsWith("//") || target.startsWith("/\\")) return fallback;
  // Control characters and backslashes let some browsers read the path as another host.
  if (/[\u0000-\u001f\\]/.test(target)) return fallback;
  // A lone surrogate has no UTF-8 form, so no URL can carry it.
  if (/\p{Cs}/u.test(target)) return fallback;
  // A Location header carries bytes, not text: anything beyond printable ASCII travels percent-encoded.
  return target.replace(/[^\x21-\x7e]+/gu, (run) => encodeURIComponent(run));
}
