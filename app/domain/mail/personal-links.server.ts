import { ONE_TIME_LINK_PATHS } from "~/domain/tokens/link-paths.ts";

// What staff read of a sent message carries no link that acts for its recipient: the unsubscribe
// and preferences links of promotional mail, its signed return path and mailto unsubscribe
// address, the sign-in, reset, confirmation and invitation links of account mail. Each is replaced by a visible placeholder naming what was there
// (docs/decisions/016-retire-and-revoke-keys.md).

const LINK_KINDS: { path: string; name: string }[] = [
  { path: "/u/", name: "unsubscribe link" },
  { path: "/p/", name: "preferences link" },
  { path: ONE_TIME_LINK_PATHS.SIGN_IN, name: "sign-in link" },
  { path: ONE_TIME_LINK_PATHS.RESET_PASSWORD, name: "password reset link" },
  { path: ONE_TIME_LINK_PATHS.CONFIRM_SIGN_UP, name: "sign-up confirmation link" },
  { path: ONE_TIME_LINK_PATHS.CONFIRM_EMAIL_CHANGE, name: "email confirmation link" },
  { path: ONE_TIME_LINK_PATHS.INVITE, name: "invitation link" },
];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

// On any host: mail sent under an earlier PUBLIC_URL may still reach this server. The lazy
// prefix stops at the first personal path, and none of the characters may leave the URL.
const PERSONAL_URL = new RegExp(
  `https?://[^\\s"'<>()\\[\\]]*?(${LINK_KINDS.map((k) => escapeRegExp(k.path)).join("|")})[A-Za-z0-9_~%-]+(?:\\.[A-Za-z0-9_~%-]+)*`,
  "gi",
);
// A signed link token anywhere else (any "eyJ…" JWS): a link is only as secret as its token.
const SIGNED_TOKEN = /eyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+/g;
const ANCHOR = /<a\b[^>]*>[\s\S]*?<\/a\s*>/gi;
// Our signed return path and mailto unsubscribe ids (bounces+c12-<mac>@…): one forges a bounce, the other unsubscribes.
const SIGNED_ADDRESS_ID = /\b(bounces|unsubscribe)\+[ct][0-9]+-[0-9a-f]{20}@/gi;

function placeholderFor(path: string): string {
  const kind = LINK_KINDS.find((k) => k.path.toLowerCase() === path.toLowerCase());
  return `[${kind?.name ?? "personal link"} removed]`;
}

/** Plain text or a header value with every personal link replaced by "[… link removed]". */
export function removePersonalLinks(text: string): string {
  return text
    .replace(PERSONAL_URL, (_url, path: string) => placeholderFor(path))
    .replace(SIGNED_TOKEN, "[link token removed]")
    .replace(SIGNED_ADDRESS_ID, (_id, purpose: string) => `${purpose}+[signed id removed]@`);
}

/** HTML with every anchor to a personal link turned into its placeholder (no longer a link), then any other mention removed. */
export function removePersonalLinksFromHtml(html: string): string {
  const withoutAnchors = html.replace(ANCHOR, (anchor) => {
    const opening = anchor.slice(0, anchor.indexOf(">") + 1);
    const personal = new RegExp(PERSONAL_URL.source, "i").exec(opening);
    if (!personal && !new RegExp(SIGNED_TOKEN.source).test(opening)) return anchor;
    const placeholder = personal ? placeholderFor(personal[1]) : "[personal link removed]";
    return `<strong title="Staff never see a recipient's working links">${placeholder}</strong>`;
  });
  return removePersonalLinks(withoutAnchors);
}
