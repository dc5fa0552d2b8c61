import { toPlainText } from "@react-email/render";
import { bodyText, PREVIEW_UNIT, PromotionalLayout } from "../components/index.ts";
import { definePromotionalTemplate, type PromotionalEmailProps } from "../template-kinds.ts";

declare const sanitized: unique symbol;

/**
 * Campaign body HTML that has been through the campaign sanitizer. A distinct type so that a
 * marketer's raw HTML cannot reach the email by accident; only the sanitizer should create one.
 */
export type SanitizedHtml = string & { readonly [sanitized]: true };

/** Marks HTML as sanitized. Call it on the sanitizer's output and nowhere else. */
export function trustSanitizedHtml(html: string): SanitizedHtml {
  return html as SanitizedHtml;
}

export type CampaignContent = {
  subject: string;
  /** Inbox preview text; empty for the first line of the body. */
  preheader: string;
  bodyHtml: SanitizedHtml;
};

const PREVIEW_CONTENT: CampaignContent = {
  subject: "Five tax tips before the filing deadline",
  preheader: "Small steps now save time in July.",
  bodyHtml: trustSanitizedHtml(
    "<h2>Get ready for filing season</h2>" +
      "<p>Five small things to do this month so that your return takes minutes, not hours.</p>" +
      '<p><a href="https://tax.example.com/tips/filing-season">Read the tips</a></p>',
  ),
};

export default function CampaignEmail({
  content = PREVIEW_CONTENT,
  unit = PREVIEW_UNIT,
  footer = {
    reason: "You subscribed to Tax tips from Example Tax on 3 May 2026.",
    unsubscribeUrl: "https://preferences.example.com/u/preview-token",
    preferencesUrl: "https://preferences.example.com/p/preview-token",
    advertisement: false,
  },
}: Partial<PromotionalEmailProps<CampaignContent>>) {
  return (
    <PromotionalLayout unit={unit} title={content.subject} preview={content.preheader.trim() || firstLineOf(content.bodyHtml)} footer={footer}>
      {/* Sanitized upstream: see SanitizedHtml. Text styles set here are inherited by the marketer's markup. */}
      <div style={{ ...bodyText, margin: 0 }} dangerouslySetInnerHTML={{ __html: content.bodyHtml }} />
    </PromotionalLayout>
  );
}

/**
 * The body's first line of text, for the inbox preview of a campaign without a preheader: without
 * one, inboxes show the first text of the message, which is the unit's name in the header.
 * Images and link targets are left out; inboxes show about 90 characters.
 */
export function firstLineOf(bodyHtml: SanitizedHtml): string {
  const text = toPlainText(bodyHtml, {
    selectors: [
      { selector: "img", format: "skip" },
      { selector: "a", options: { ignoreHref: true } },
      ...["h1", "h2", "h3", "h4", "h5", "h6"].map((selector) => ({ selector, options: { uppercase: false } })),
    ],
  });
  return (
    text
      .split("\n")
      .map((line) => line.trim())
      .find((line) => line !== "") ?? ""
  );
}

export const campaign = definePromotionalTemplate({
  subject: (content: CampaignContent) => content.subject,
  Component: CampaignEmail,
  previewContent: PREVIEW_CONTENT,
});
