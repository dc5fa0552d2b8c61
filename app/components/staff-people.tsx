import type { ReactNode } from "react";
import { formatDay } from "~/utils/format.ts";

// Pieces the /admin/people pages share: how a staff member's status and an invitation's mail
// outcome read.

export type StaffStatusView = {
  status: "invited" | "active" | "revoked";
  inviteExpiresAt: string | Date | null;
  accessRevokedAt: string | Date | null;
};

export const ROLE_LABEL = { MARKETER: "Marketer", ADMIN: "Admin" } as const;

/** "Active", "Invited — link works until 3 May 2026", "Invited — link expired", "Access revoked on …". */
export function StaffStatus({ member }: { member: StaffStatusView }): ReactNode {
  if (member.status === "revoked") {
    return (
      <span className="person-status revoked">
        Access revoked{member.accessRevokedAt ? ` on ${formatDay(member.accessRevokedAt)}` : ""}
      </span>
    );
  }
  if (member.status === "invited") {
    return (
      <span className="person-status invited">
        {member.inviteExpiresAt ? `Invited — link works until ${formatDay(member.inviteExpiresAt)}` : "Invited — no working link: send a new invitation"}
      </span>
    );
  }
  return <span className="person-status active">Active</span>;
}

/** What the admin is told when an invitation could not be emailed, and what to do next. */
export const INVITE_MAIL_PROBLEM: Record<string, string> = {
  "no-unit":
    "The invitation was not emailed: the group's name and address are not set yet, and account mail is sent as the group. Set them under Group identity, then use “Send a new invitation” on this page.",
  refused: "The invitation was not emailed: the address is blocked (it bounced permanently or was erased).",
  queued: "The mail server did not take the invitation yet; it will be tried again automatically.",
  "not-sendable": "The invitation could not be emailed: the group's account mail is not set up. Check Group identity, then send a new invitation.",
};

/** The unit checkboxes of the invitation form and the person page (plain inputs: no JavaScript needed). */
export function UnitChoices({
  units,
  checked,
  error,
  legend,
}: {
  units: { id: number; displayName: string; slug: string }[];
  checked: number[];
  error?: string;
  legend: string;
}) {
  return (
    <fieldset className={`field choice-list${error ? " has-error" : ""}`} aria-describedby={error ? "units-error" : undefined}>
      <legend>{legend}</legend>
      {units.length === 0 ? <p className="hint">There are no business units yet. Units can be given later, on the person’s page.</p> : null}
      {units.map((unit) => (
        <label key={unit.id}>
          <input type="checkbox" name="units" value={unit.id} defaultChecked={checked.includes(unit.id)} /> {unit.displayName}
        </label>
      ))}
      {error ? (
        <p id="units-error" className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
