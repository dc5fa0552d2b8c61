import type { CSSProperties } from "react";

// One look for every email: system fonts, 16px body text, dark grey on white (about 15:1).

export const FONT_STACK =
  '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

export const COLORS = {
  page: "#f3f4f6",
  card: "#ffffff",
  border: "#e5e7eb",
  ink: "#1f2937",
  /** Secondary text: about 7:1 on the card and 6.5:1 on the page. */
  muted: "#4b5563",
  /** Links when the brand colour is too light to read on white. */
  link: "#1f4f8b",
} as const;

export const DEFAULT_BRAND_COLOR = "#1f4f8b";

export const bodyText: CSSProperties = {
  fontFamily: FONT_STACK,
  fontSize: "16px",
  lineHeight: "24px",
  color: COLORS.ink,
  margin: "0 0 16px",
};

export const smallText: CSSProperties = {
  fontFamily: FONT_STACK,
  fontSize: "14px",
  lineHeight: "22px",
  color: COLORS.muted,
  margin: "0 0 12px",
};

export type BrandColors = {
  /** Header band, buttons, top rule. */
  accent: string;
  /** Text placed on the accent. */
  onAccent: string;
  /** Links on white. */
  link: string;
};

const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/**
 * Colours derived from a unit's brand colour that stay readable: a light brand colour gets dark
 * text on it and is not used for links. Anything but #rgb / #rrggbb falls back to the default,
 * as the value ends up in style attributes.
 */
export function brandColors(brandColor: string): BrandColors {
  const accent = HEX_COLOR.test(brandColor.trim()) ? expandHex(brandColor.trim()) : DEFAULT_BRAND_COLOR;
  const readableOnWhite = contrastRatio(accent, "#ffffff") >= 4.5;
  return {
    accent,
    onAccent: readableOnWhite ? "#ffffff" : pickDarkerThan(accent),
    link: readableOnWhite ? accent : COLORS.link,
  };
}

function pickDarkerThan(accent: string): string {
  return contrastRatio(accent, COLORS.ink) >= 4.5 ? COLORS.ink : "#000000";
}

function expandHex(hex: string): string {
  const digits = hex.slice(1).toLowerCase();
  return digits.length === 3 ? `#${[...digits].map((d) => d + d).join("")}` : `#${digits}`;
}

/** WCAG 2 contrast ratio between two #rrggbb colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [lighter, darker] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return (lighter + 0.05) / (darker + 0.05);
}

function relativeLuminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const channel = parseInt(expandHex(hex).slice(i, i + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The card's width: 600, what every mail client shows whole. Its content is padded by 32 on each side. */
export const CARD_WIDTH = 600;
/** The width of the card's content column: what an image as wide as the message is given. */
export const CONTENT_WIDTH = CARD_WIDTH - 2 * 32;
