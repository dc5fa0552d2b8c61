import type { ReactNode } from "react";
import { Form, NavLink } from "@remix-run/react";
import { useGroupName } from "./group-name.ts";

// The frame of marketer and admin pages: the product name, the staff sections, who is signed
// in and a sign-out button. Plain links and forms: works without JavaScript.

export type StaffFrameUser = { email: string; role: "MARKETER" | "ADMIN" };

const SECTIONS: { to: string; label: string; adminOnly?: boolean }[] = [
  { to: "/campaigns", label: "Campaigns" },
  { to: "/reports", label: "Results" },
  { to: "/contacts/import", label: "Import contacts" },
  { to: "/contacts/export", label: "Postal & phone lists" },
  // Marketers see their units' promotional mail there (app/domain/mail/outbox-browse.server.ts).
  { to: "/admin/outbox", label: "Outbox" },
  { to: "/admin/units", label: "Units", adminOnly: true },
  { to: "/admin/people", label: "People", adminOnly: true },
  { to: "/admin/group", label: "Group identity", adminOnly: true },
  { to: "/admin/keys", label: "Keys", adminOnly: true },
  { to: "/admin/suppressions", label: "Suppressions", adminOnly: true },
  { to: "/admin/inbound", label: "What came back", adminOnly: true },
  { to: "/admin/ledger", label: "Ledger", adminOnly: true },
  { to: "/admin/audit", label: "Audit log", adminOnly: true },
];

export function StaffFrame({ user, title, children }: { user: StaffFrameUser; title: string; children: ReactNode }) {
  const groupName = useGroupName();
  return (
    <div className="branded accounts staff">
      <header className="brand-bar">
        <div className="brand-inner account-bar">
          <span className="brand-name">{groupName}</span>
          <nav aria-label="Sections" className="staff-nav">
            {SECTIONS.filter((s) => !s.adminOnly || user.role === "ADMIN").map((section) => (
              <NavLink key={section.to} to={section.to} prefetch="none">
                {section.label}
              </NavLink>
            ))}
          </nav>
          <div className="account-nav">
            <span className="signed-in-as">{user.email}</span>
            <Form method="post" action="/logout">
              <button type="submit" className="link-button">
                Sign out
              </button>
            </Form>
          </div>
        </div>
      </header>
      <main className="staff-page">
        <h1>{title}</h1>
        {children}
      </main>
    </div>
  );
}
