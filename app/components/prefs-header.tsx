import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useGroupName } from "./group-name.ts";
import { LanguageSwitch } from "./language-switch.tsx";

/** The bar above a person's own pages (/preferences, its history, /welcome): the group's name (ADR 044), then their links. */
export function PrefsHeader({ children }: { children?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <header className="prefs-bar">
      <div className="prefs-bar-inner">
        <span className="brand-name">{useGroupName()}</span>
        {children ? <nav aria-label={t("common.yourAccount")}>{children}</nav> : null}
        <LanguageSwitch />
      </div>
    </header>
  );
}
