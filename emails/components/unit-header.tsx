import { Img } from "@react-email/img";
import { Section } from "@react-email/section";
import { Text } from "@react-email/text";
import { FONT_STACK } from "./theme.ts";
import { isWebUrl, type UnitIdentity } from "./unit-identity.ts";

/** How wide the logo may be: a wordmark 32 high and five times as wide. */
const LOGO_MAX_WIDTH = 160;

/** The unit's logo (when it has one) and its name, at the top of every message. */
type UnitHeaderProps = { unit: UnitIdentity; background: string; color: string; topRule?: string; bottomRule?: string };

export function UnitHeader({ unit, background, color, topRule, bottomRule }: UnitHeaderProps) {
  const logo = unit.logoUrl && isWebUrl(unit.logoUrl) ? unit.logoUrl : null;
  return (
    <Section
      style={{
        backgroundColor: background,
        borderTop: topRule ? `4px solid ${topRule}` : undefined,
        borderBottom: bottomRule ? `1px solid ${bottomRule}` : undefined,
        borderRadius: "6px 6px 0 0",
        padding: "20px 32px",
      }}
    >
      {/* 32 high wherever CSS applies. Outlook on Windows ignores CSS sizes and shows an image at its
          file's size unless given a width: it gets LOGO_MAX_WIDTH and keeps the proportions (no height attribute). */}
      {logo ? <Img src={logo} alt="" width={LOGO_MAX_WIDTH} style={{ height: "32px", width: "auto", maxWidth: `${LOGO_MAX_WIDTH}px`, marginBottom: "8px" }} /> : null}
      <Text style={{ fontFamily: FONT_STACK, fontSize: "18px", lineHeight: "24px", fontWeight: 700, color, margin: 0 }}>
        {unit.displayName}
      </Text>
    </Section>
  );
}
