import { Img } from "@react-email/img";
import { Section } from "@react-email/section";
import { Text } from "@react-email/text";
import { FONT_STACK } from "./theme.ts";
import { isWebUrl, type UnitIdentity } from "./unit-identity.ts";

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
      {logo ? <Img src={logo} alt="" height="32" style={{ height: "32px", width: "auto", marginBottom: "8px" }} /> : null}
      <Text style={{ fontFamily: FONT_STACK, fontSize: "18px", lineHeight: "24px", fontWeight: 700, color, margin: 0 }}>
        {unit.displayName}
      </Text>
    </Section>
  );
}
