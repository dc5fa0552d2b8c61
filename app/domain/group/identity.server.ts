import { db, type Db } from "~/utils/db.server.ts";
import { isDomainName, isPlainEmailAddress } from "~/domain/mail/outgoing-mail.server.ts";
import { recordAudit, type AuditActor } from "~/domain/audit/audit.server.ts";
import type { UnitIdentity } from "~emails/components/index.ts";

// The group's own identity (ADR 044): the name on every page header and the sender of all
// account mail (sign-in, sign-up, security alerts, invitations). One row per installation,
// set by admins at /admin/group. Until it is set, account mail does not go out: a message
// must name a legal entity and a postal address, and no unit's name stands in for the group.

export const GROUP_IDENTITY_ID = 1;

/** The header name before an admin has named the group. */
export const UNNAMED_GROUP = "Preference Center";

// Neutral, like the product's own pages: the group has no brand colour of its own.
const GROUP_COLOR = "#1f4f8b";

export type GroupIdentityFields = { name: string; fromEmail: string; legalName: string; postalAddress: string };
export type GroupIdentityErrors = Partial<Record<keyof GroupIdentityFields, string>>;

const LIMITS: Record<keyof GroupIdentityFields, number> = { name: 100, fromEmail: 254, legalName: 200, postalAddress: 500 };

export async function groupIdentity(client: Db = db): Promise<GroupIdentityFields | null> {
  return client.groupIdentity.findUnique({
    where: { id: GROUP_IDENTITY_ID },
    select: { name: true, fromEmail: true, legalName: true, postalAddress: true },
  });
}

/** The name pages carry in their header. */
export async function groupName(): Promise<string> {
  return (await groupIdentity())?.name ?? UNNAMED_GROUP;
}

/** What a message's footer and From line are made of, in the shape unit mail uses. */
export function groupAsSender(group: GroupIdentityFields): UnitIdentity & { fromName: string; fromEmail: string; sendingDomain: string } {
  return {
    displayName: group.name,
    legalName: group.legalName,
    postalAddress: group.postalAddress,
    // The From address is how a reader reaches the group: replies go there.
    contactEmail: group.fromEmail,
    brandColor: GROUP_COLOR,
    fromName: group.name,
    fromEmail: group.fromEmail,
    sendingDomain: group.fromEmail.slice(group.fromEmail.lastIndexOf("@") + 1).toLowerCase(),
  };
}

/** Reads the admin form: trimmed values, or one sentence per field at fault. */
export function parseGroupIdentity(form: Record<string, unknown>): { values: GroupIdentityFields } | { errors: GroupIdentityErrors; values: GroupIdentityFields } {
  const text = (name: keyof GroupIdentityFields) => (typeof form[name] === "string" ? (form[name] as string) : "").trim();
  const values: GroupIdentityFields = { name: text("name"), fromEmail: text("fromEmail").toLowerCase(), legalName: text("legalName"), postalAddress: text("postalAddress").replace(/\r\n/g, "\n") };
  const errors: GroupIdentityErrors = {};
  if (!values.name) errors.name = "Enter the group's name, as people know it.";
  else if (/[\r\n]/.test(values.name)) errors.name = "The name must fit on one line.";
  const domain = values.fromEmail.slice(values.fromEmail.lastIndexOf("@") + 1);
  if (!values.fromEmail) errors.fromEmail = "Enter the address account mail is sent from, such as accounts@example.com.";
  else if (!isPlainEmailAddress(values.fromEmail) || !isDomainName(domain)) errors.fromEmail = "Enter an email address such as accounts@example.com.";
  if (!values.legalName) errors.legalName = "Enter the legal name: every email must name the company that sends it.";
  else if (/[\r\n]/.test(values.legalName)) errors.legalName = "The legal name must fit on one line.";
  if (!values.postalAddress) errors.postalAddress = "Enter a postal address: every email must carry one.";
  for (const [field, limit] of Object.entries(LIMITS) as [keyof GroupIdentityFields, number][]) {
    if (!errors[field] && values[field].length > limit) errors[field] = `Use at most ${limit} characters.`;
  }
  return Object.keys(errors).length > 0 ? { errors, values } : { values };
}

/** Sets the identity, with its audit entry in the same transaction. */
export async function saveGroupIdentity(values: GroupIdentityFields, actor: AuditActor): Promise<void> {
  await db.$transaction(async (tx) => {
    const before = await tx.groupIdentity.findUnique({ where: { id: GROUP_IDENTITY_ID } });
    await tx.groupIdentity.upsert({ where: { id: GROUP_IDENTITY_ID }, create: { id: GROUP_IDENTITY_ID, ...values }, update: values });
    const changed = before ? (Object.keys(values) as (keyof GroupIdentityFields)[]).filter((field) => before[field] !== values[field]) : Object.keys(values);
    await recordAudit(tx, actor, { action: before ? "group.update" : "group.create", target: "group", detail: { changed } });
  });
}
