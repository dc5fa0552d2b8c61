// `npm run cli -- users …` and `keys …`: staff accounts and link-signing keys. Changes are
// recorded in the audit log as made by "cli".

import { options, required, UsageError, type Command } from "./args.ts";

const isoMinute = (date: Date) => `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;

export const userCommands: Record<string, Command> = {
  "users create-admin": {
    usage: "users create-admin --email <address> [--name <text>]   create an admin and print a one-time invitation link (also emailed)",
    async run(args) {
      const { values, positionals } = options(args, { email: { type: "string" }, name: { type: "string" } });
      if (positionals.length > 0) throw new UsageError(`Unexpected "${positionals[0]}": give the address with --email.`);
      const { EmailSchema } = await import("~/domain/consent/email.ts");
      const email = EmailSchema.safeParse(required(values.email, "--email"));
      if (!email.success) throw new Error(`--email: ${email.error.issues[0].message}.`);
      const name = values.name?.trim() || null;
      if (name && (name.length > 100 || /[\r\n<>]/.test(name))) throw new Error("--name: use at most 100 characters, on one line, without < or >.");

      const { db } = await import("~/utils/db.server.ts");
      const existing = await db.user.findUnique({ where: { email: email.data }, select: { role: true } });
      if (existing) throw new Error(`There is already an account with ${email.data} (${existing.role.toLowerCase()}).`);
      const { inviteStaff } = await import("~/domain/accounts/people.server.ts");
      const { CLI_ACTOR } = await import("~/domain/audit/audit.server.ts");
      const invitation = await inviteStaff(CLI_ACTOR, { email: email.data, name, role: "ADMIN", unitIds: [] });
      console.log(`Created admin ${invitation.userId} for ${invitation.email}.`);
      console.log(invitation.mail.sent ? `Invitation emailed to ${invitation.email}.` : `Not emailed: ${invitation.mail.reason}. Give them the link below yourself.`);
      console.log(`Invitation link (works once, until ${isoMinute(invitation.expiresAt)}):`);
      console.log(invitation.url);
    },
  },
  "users list": {
    usage: "users list                                       list marketers and admins: id, email, role, status, units, last sign-in",
    async run() {
      const { listStaff } = await import("~/domain/accounts/people.server.ts");
      const people = await listStaff();
      if (people.length === 0) console.log("No marketers or admins yet: create the first admin with `users create-admin --email <address>`.");
      for (const p of people) {
        const units = p.role === "ADMIN" ? "all units" : p.units.map((u) => u.slug).join(",") || "no units";
        const status = p.status === "invited" ? (p.inviteExpiresAt ? `invited until ${isoMinute(p.inviteExpiresAt)}` : "invited, link expired") : p.status;
        console.log(`${p.id}\t${p.email}\t${p.role.toLowerCase()}\t${status}\t${units}\t${p.lastSignInAt ? `last sign-in ${isoMinute(p.lastSignInAt)}` : "never signed in"}`);
      }
    },
  },
  "keys rotate": {
    usage: "keys rotate                                      add a new link-signing key; older keys keep verifying",
    async run() {
      const { rotateKeys } = await import("~/domain/tokens/keys.server.ts");
      const { CLI_ACTOR } = await import("~/domain/audit/audit.server.ts");
      const { kid } = await rotateKeys(CLI_ACTOR);
      console.log(`New signing key ${kid} signs from now on (running servers and workers pick it up within 30 seconds).`);
    },
  },
  "keys retire": {
    usage: "keys retire <kid>                                the key stops signing; its unsubscribe links keep working until they expire",
    async run(args) {
      const { positionals } = options(args, {});
      const kid = required(positionals[0], "<kid>");
      const { retireKey } = await import("~/domain/tokens/keys.server.ts");
      const { MAXIMUM_LIFETIME_DAYS } = await import("~/domain/tokens/link-tokens.server.ts");
      const { CLI_ACTOR } = await import("~/domain/audit/audit.server.ts");
      const retired = await retireKey(CLI_ACTOR, kid);
      if (retired.outcome === "not-active") throw new Error(`There is no active signing key "${kid}".`);
      console.log(`Retired signing key ${kid}: it signs no more (in running servers within 30 seconds).`);
      console.log(`Unsubscribe links it signed keep working until they expire (${MAXIMUM_LIFETIME_DAYS} days at most); its preferences links stop working.`);
      console.log(`If the key may have leaked, stop every link it signed with \`keys revoke ${kid}\`.`);
      if (retired.newKid) console.log(`It was the last active key: new key ${retired.newKid} signs from now on.`);
    },
  },
  "keys revoke": {
    usage: "keys revoke <kid> --yes                          the key may have leaked: every link it signed stops working, unsubscribe links too",
    async run(args) {
      const { values, positionals } = options(args, { yes: { type: "boolean" } });
      const kid = required(positionals[0], "<kid>");
      const { revocationOf, revokeKey } = await import("~/domain/tokens/keys.server.ts");
      const { MAXIMUM_LIFETIME_DAYS } = await import("~/domain/tokens/link-tokens.server.ts");
      const { CLI_ACTOR } = await import("~/domain/audit/audit.server.ts");
      const revocation = await revocationOf(kid);
      if (!revocation) throw new Error(`There is no signing key "${kid}" that is not revoked already.`);
      if (!values.yes) {
        throw new Error(
          `Revoking ${kid} stops the ${revocation.unexpiredLinks} links it signed in the last ${MAXIMUM_LIFETIME_DAYS} days at once, ` +
            `unsubscribe links included: people who click them must ask for a new link. Nothing was changed.\n` +
            `If the key may have leaked, run \`keys revoke ${kid} --yes\`; otherwise \`keys retire ${kid}\` keeps its unsubscribe links working.`,
        );
      }
      const revoked = await revokeKey(CLI_ACTOR, kid);
      if (revoked.outcome === "not-found") throw new Error(`There is no signing key "${kid}" that is not revoked already.`);
      console.log(`Revoked signing key ${kid}: the ${revoked.linksStopped} links it signed no longer work (in running servers within 30 seconds).`);
      if (revoked.newKid) console.log(`It was the last active key: new key ${revoked.newKid} signs from now on.`);
    },
  },
  "keys list": {
    usage: "keys list                                        list link-signing keys with the links each signed in the last 7 and 30 days",
    async run() {
      const { listSigningKeys } = await import("~/domain/tokens/keys.server.ts");
      console.log("kid\tcreated\tstate\tsigned 7d\tsigned 30d");
      for (const key of await listSigningKeys()) {
        const state = key.revokedAt
          ? `revoked ${isoMinute(key.revokedAt)}, verifies nothing`
          : key.retiredAt
            ? `retired ${isoMinute(key.retiredAt)}, verifies unsubscribe links until ${isoMinute(key.optOutLinksUntil!)}`
            : key.signsNewLinks
              ? "active, signs new links"
              : "active, verifies only";
        console.log(`${key.kid}\t${isoMinute(key.createdAt)}\t${state}\t${key.signedLast7Days}\t${key.signedLast30Days}`);
      }
    },
  },
};
