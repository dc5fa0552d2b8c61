import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useGroupName } from "./group-name.ts";
import { LanguageSwitch } from "./language-switch.tsx";

export type PageBrand = {
  displayName: string;
  legalName: string | null;
  postalAddress: string | null;
  contactEmail?: string | null;
  contactUrl?: string | null;
  brandColor: string;
  logoUrl?: string | null;
};

// Only a plain hex colour reaches the page's style: the value comes from the admin.
const HEX = /^#[0-9a-f]{6}$/i;

/** A page in a business unit's colours, with its legal identity at the foot. */
export function BrandedPage({ unit, switchAction, children }: { unit: PageBrand; switchAction?: string; children: ReactNode }) {
  const { t } = useTranslation();
  const brand = HEX.test(unit.brandColor) ? unit.brandColor : "#1f4f8b";
  return (
    <div className="branded" style={{ "--brand": brand } as React.CSSProperties}>
      <header className="brand-bar">
        <div className="brand-inner">
          {unit.logoUrl ? <img src={unit.logoUrl} alt="" height={32} /> : null}
          <span className="brand-name">{unit.displayName}</span>
          <LanguageSwitch action={switchAction} />
        </div>
      </header>
      <main className="card">{children}</main>
      <footer className="brand-footer">
        {unit.legalName ? <p>{unit.legalName}</p> : null}
        {unit.postalAddress ? <p>{unit.postalAddress}</p> : null}
        {unit.contactEmail ? (
          <p>
            {t("common.questions")} <a href={`mailto:${unit.contactEmail}`}>{unit.contactEmail}</a>
          </p>
        ) : null}
      </footer>
    </div>
  );
}

/** The product's own pages: the same frame without a unit's branding, under the group's name (ADR 044). */
export function PlainPage({ switchAction, children }: { switchAction?: string; children: ReactNode }) {
  return (
    <div className="branded">
      <header className="brand-bar">
        <div className="brand-inner">
          <span className="brand-name">{useGroupName()}</span>
          <LanguageSwitch action={switchAction} />
        </div>
      </header>
      <main className="card">{children}</main>
    </div>
  );
}
