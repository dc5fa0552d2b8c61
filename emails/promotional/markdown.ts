import MarkdownIt from "markdown-it";
import sanitizeHtml, { type IOptions, type Transformer } from "sanitize-html";
import { COLORS, CONTENT_WIDTH } from "../components/theme.ts";
import { trustSanitizedHtml, type SanitizedHtml } from "./campaign.tsx";

// A marketer writes the campaign body in Markdown; subscribers' mail clients render the result.
// Two layers: markdown-it with raw HTML off (a typed <script> stays text), then sanitize-html
// with an allow-list, which would still hold if the first layer let something through.

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });
// Code blocks become a bare <pre>: <pre><code> would get the inline-code style inside the block's.
markdown.renderer.rules.fence = markdown.renderer.rules.code_block = (tokens, index) =>
  `<pre>${markdown.utils.escapeHtml(tokens[index].content)}</pre>\n`;

export type CampaignMarkdownOptions = {
  /** Colour of links in the body, normally the unit's link colour (brandColors().link). */
  linkColor?: string;
};

/** Campaign Markdown → HTML that is safe to put in an email. The one way marketer content becomes SanitizedHtml. */
export function campaignMarkdownToHtml(source: string, options: CampaignMarkdownOptions = {}): SanitizedHtml {
  return sanitizeCampaignHtml(markdown.render(source), options);
}

/**
 * Keeps only the allow-listed elements and attributes of `html`, links only to http(s) and
 * mailto, images only from http(s), and replaces every style with the email's own. Exported
 * for tests that feed it raw hostile HTML, bypassing markdown-it.
 */
export function sanitizeCampaignHtml(html: string, options: CampaignMarkdownOptions = {}): SanitizedHtml {
  const linkColor = options.linkColor && HEX_COLOR.test(options.linkColor) ? options.linkColor : COLORS.link;
  return trustSanitizedHtml(sanitizeHtml(html, sanitizerOptions(linkColor)).trim());
}

/** True when the sanitized body shows nothing: no text and no image. */
export function isBlankCampaignHtml(html: SanitizedHtml): boolean {
  return !/<img\b/.test(html) && sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} }).replace(/&nbsp;|\s/g, "") === "";
}

const HEX_COLOR = /^#[0-9a-f]{6}$/i;
const MONOSPACE = 'Menlo, Consolas, "Liberation Mono", monospace';

// Inline styles, because many mail clients drop <style> blocks. Every style attribute the
// input carried is replaced by these (table cells keep a text-align from the Markdown).
const STYLES: Record<string, string> = {
  p: "margin:0 0 16px",
  h1: "font-size:24px;line-height:32px;font-weight:700;margin:24px 0 12px",
  h2: "font-size:20px;line-height:28px;font-weight:700;margin:24px 0 12px",
  h3: "font-size:18px;line-height:26px;font-weight:700;margin:20px 0 8px",
  h4: "font-size:16px;line-height:24px;font-weight:700;margin:16px 0 8px",
  h5: "font-size:16px;line-height:24px;font-weight:700;margin:16px 0 8px",
  h6: "font-size:16px;line-height:24px;font-weight:700;margin:16px 0 8px",
  ul: "margin:0 0 16px;padding:0 0 0 24px",
  ol: "margin:0 0 16px;padding:0 0 0 24px",
  li: "margin:0 0 4px",
  blockquote: `margin:0 0 16px;padding:0 0 0 12px;border-left:3px solid ${COLORS.border};color:${COLORS.muted}`,
  hr: `border:none;border-top:1px solid ${COLORS.border};margin:24px 0`,
  code: `font-family:${MONOSPACE};font-size:14px;background-color:${COLORS.page};padding:1px 4px;border-radius:3px`,
  pre: `font-family:${MONOSPACE};font-size:14px;line-height:20px;background-color:${COLORS.page};padding:12px;margin:0 0 16px;white-space:pre-wrap;word-break:break-word`,
  // As wide as the content column in every client (the width attribute is for Outlook, which ignores CSS sizes).
  img: "width:100%;max-width:100%;height:auto;border:0",
  table: "border-collapse:collapse;margin:0 0 16px",
  th: `border:1px solid ${COLORS.border};padding:6px 8px;font-weight:700`,
  td: `border:1px solid ${COLORS.border};padding:6px 8px`,
};
const LINK_STYLE = (color: string) => `color:${color};text-decoration:underline`;

const ALLOWED_TAGS = [
  "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote",
  "strong", "b", "em", "i", "s", "del", "code", "pre", "a", "img", "span",
  "table", "thead", "tbody", "tr", "th", "td",
];

/** An absolute http(s) URL with a host, or a mailto: with an address. Nothing relative, nothing else. */
export function isAllowedLink(href: string): boolean {
  if (/[\u0000-\u0020\u007f]/.test(href) || !URL.canParse(href)) return false;
  const url = new URL(href);
  if (url.protocol === "mailto:") return url.pathname.includes("@");
  return isWebImageSource(href);
}

function isWebImageSource(src: string): boolean {
  if (/[\u0000-\u0020\u007f]/.test(src) || !/^https?:\/\/[^/\\]/i.test(src) || !URL.canParse(src)) return false;
  return new URL(src).hostname !== "";
}

function sanitizerOptions(linkColor: string): IOptions {
  const styled = (tag: string): Transformer => (tagName, attribs) => ({
    tagName,
    attribs: { style: tag === "th" || tag === "td" ? withAlignment(STYLES[tag], attribs.style) : STYLES[tag] },
  });
  const transformTags: Record<string, Transformer> = Object.fromEntries(Object.keys(STYLES).map((tag) => [tag, styled(tag)]));
  // A link we cannot allow keeps its text and loses its target.
  transformTags.a = (_tagName, attribs) =>
    attribs.href && isAllowedLink(attribs.href)
      ? {
          tagName: "a",
          attribs: { href: attribs.href, rel: "noopener", style: LINK_STYLE(linkColor), ...(attribs.title ? { title: attribs.title } : {}) },
        }
      : { tagName: "span", attribs: {} };
  transformTags.img = (_tagName, attribs) => ({
    tagName: "img",
    attribs: {
      ...(attribs.src && isWebImageSource(attribs.src) ? { src: attribs.src } : {}),
      alt: attribs.alt ?? "",
      ...(attribs.title ? { title: attribs.title } : {}),
      width: String(CONTENT_WIDTH),
      style: STYLES.img,
    },
  });
  // Every other allowed tag is rebuilt without attributes.
  for (const tag of ALLOWED_TAGS) transformTags[tag] ??= (tagName) => ({ tagName, attribs: {} });

  return {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ["href", "rel", "title", "style"],
      img: ["src", "alt", "title", "width", "style"],
      ...Object.fromEntries(Object.keys(STYLES).filter((tag) => tag !== "img").map((tag) => [tag, ["style"]])),
    },
    allowedSchemes: ["http", "https", "mailto"],
    allowedSchemesByTag: { img: ["http", "https"] },
    allowedSchemesAppliedToAttributes: ["href", "src"],
    allowProtocolRelative: false,
    transformTags,
    // Second check on the styles we set: only these properties, only these values.
    allowedStyles: { "*": allowedStyles(linkColor) },
    // An image whose source we dropped would show as a broken box: leave it out.
    exclusiveFilter: (frame) => frame.tag === "img" && !frame.attribs.src,
    disallowedTagsMode: "discard",
    // Dropped with their contents, not just unwrapped.
    nonTextTags: ["script", "style", "textarea", "option", "noscript", "title", "iframe", "object", "embed", "svg", "math", "template", "xmp", "noembed", "noframes"],
  };
}

/** A table cell keeps the alignment Markdown gave it (`|--:|`), nothing else from its style. */
function withAlignment(style: string, incoming: string | undefined): string {
  const align = /(?:^|;)\s*text-align\s*:\s*(left|right|center)\s*(?:;|$)/i.exec(incoming ?? "")?.[1]?.toLowerCase();
  return align ? `${style};text-align:${align}` : style;
}

/** The exact property values STYLES and the link style use, as sanitize-html's allowedStyles. */
function allowedStyles(linkColor: string): Record<string, RegExp[]> {
  const allowed: Record<string, Set<string>> = { "text-align": new Set(["left", "right", "center"]) };
  for (const style of [...Object.values(STYLES), LINK_STYLE(linkColor)]) {
    for (const declaration of style.split(";")) {
      const colon = declaration.indexOf(":");
      (allowed[declaration.slice(0, colon)] ??= new Set()).add(declaration.slice(colon + 1));
    }
  }
  const exactly = (value: string) => new RegExp(`^${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
  return Object.fromEntries(Object.entries(allowed).map(([property, values]) => [property, [...values].map(exactly)]));
}
