import type { ReactNode } from "react";
import { useGroupName } from "./group-name.ts";

/** The bar above a person's own pages (/preferences, its history, /welcome): the group's name (ADR 044), then their links. */
export function PrefsHeader({ children }: { children?: ReactNode }) {
  return (
    <header className="prefs-bar">
      <div className="prefs-bar-inner">
        <span className="brand-name">{useGroupName()}</span>
        {children ? <nav aria-label="Your account">{children}</nav> : null}
      </div>
    </header>
  );
}
