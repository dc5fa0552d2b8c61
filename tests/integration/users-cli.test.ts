import path from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { sessionCookie } from "../helpers/accounts-http.ts";
import { emailedLink } from "../helpers/outbox.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// A company starting from an empty database: `users create-admin` prints an invitation link
// that works, against the running production build. Then `users list` and the `keys` commands.

const { app, appDb, http } = useRunningApp({ env: { SKIP_DEMO_SEED: "1" } });

const PASSWORD = "granite-lighthouse-meadow-3318";

/** The CLI as a person runs it, against the running app's database and outbox. */
function cli(...args: string[]) {
  const result = spawnSync(path.resolve("node_modules/.bin/tsx"), ["app/cli/main.ts", ...args], {
    env: { ...process.env, DATABASE_URL: app.databaseUrl, OUTBOX_DIR: app.outboxDir, MAIL_TRANSPORT: "outbox" },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const lines = (text: string) => text.trim().split("\n");

describe("users create-admin", () => {
  it("creates the first admin of an empty database and prints a link that signs them in", async () => {
    expect(await appDb.db.user.count()).toBe(0);
    expect(await appDb.db.businessUnit.count()).toBe(0);
    const run = cli("users", "create-admin", "--email", "Founder@Company.example", "--name", "Fran Founder");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const out = lines(run.stdout);
    expect(out[0]).toMatch(/^Created admin \d+ for founder@company\.example\.$/);
    // No group identity yet to send account mail as (ADR 044): the link is printed for the admin to use.
    expect(out[1]).toBe("Not emailed: the group's name and address are not set yet (Group identity, in the admin menu). Give them the link below yourself.");
    expect(out[2]).toMatch(/^Invitation link \(works once, until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\):$/);
    const url = out[3];
    expect(url).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);

    expect((await http.get(http.pathOf(url))).status).toBe(200);
    const accepted = await http.post(http.pathOf(url), { password: PASSWORD });
    expect(accepted.status).toBe(302);
    expect(accepted.headers.get("location")).toBe("/campaigns");
    const cookie = sessionCookie(accepted);
    const people = await http.get("/admin/people", { cookie });
    expect(people.status).toBe(200);
    expect(await people.text()).toContain("founder@company.example");
    expect((await http.get("/admin/keys", { cookie })).status).toBe(200);
    expect(await http.signIn("founder@company.example", PASSWORD)).toMatch(/^pc_session=/);
    expect(await appDb.db.auditEvent.findFirst({ where: { action: "user.invite" }, select: { action: true, actorEmail: true, actorUserId: true } })).toEqual({
      action: "user.invite",
      actorEmail: "cli",
      actorUserId: null,
    });
  });

  it("also emails the invitation once the group identity is set, and the emailed link works", async () => {
    // A unit alone is not enough: account mail is sent as the group (ADR 044).
    await appDb.db.businessUnit.create({
      data: {
        slug: "acme",
        displayName: "Acme",
        legalName: "Acme Ltd",
        postalAddress: "1 Road, Town",
        contactEmail: "help@acme.example",
        fromName: "Acme",
        fromEmail: "news@acme.example",
        sendingDomain: "acme.example",
      },
    });
    await appDb.db.groupIdentity.create({ data: { id: 1, name: "Acme Group", fromEmail: "accounts@acme.example", legalName: "Acme Group Ltd", postalAddress: "1 Road, Town" } });
    const run = cli("users", "create-admin", "--email", "second.admin@company.example");
    expect(run.status).toBe(0);
    expect(lines(run.stdout)[1]).toBe("Invitation emailed to second.admin@company.example.");
    const printed = lines(run.stdout).at(-1)!;
    expect(await emailedLink(app.outboxDir, "second.admin@company.example", "staff-invite")).toBe(printed);
    const accepted = await http.post(http.pathOf(printed), { password: PASSWORD });
    expect(accepted.headers.get("location")).toBe("/campaigns");
  });

  it("exits non-zero with one clear line for an address in use or a bad address, and creates nothing", async () => {
    const users = await appDb.db.user.count();
    const taken = cli("users", "create-admin", "--email", "FOUNDER@company.example");
    expect(taken.status).toBe(1);
    expect(taken.stderr).toBe("There is already an account with founder@company.example (admin).\n");
    const bad = cli("users", "create-admin", "--email", "founder-at-company");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe("--email: Enter a valid email address, like name@example.com.\n");
    const missing = cli("users", "create-admin");
    expect(missing.status).toBe(2);
    expect(lines(missing.stderr)[0]).toBe("--email is required.");
    expect(await appDb.db.user.count()).toBe(users);
  });

  it("users list shows each staff account with its role, status and last sign-in", () => {
    const run = cli("users", "list");
    expect(run.status).toBe(0);
    const [first, second] = lines(run.stdout);
    expect(first).toMatch(/^\d+\tfounder@company\.example\tadmin\tactive\tall units\tlast sign-in \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    expect(second).toMatch(/^\d+\tsecond\.admin@company\.example\tadmin\tactive\t/);
  });
});

describe("keys from the CLI", () => {
  it("lists keys with the links they signed, rotates and retires with audit entries as cli", async () => {
    await appDb.db.contact.create({ data: { email: "pat@example.com", locale: "en" } });
    const signer = (await appDb.db.signingKey.findFirstOrThrow({ where: { retiredAt: null }, orderBy: { id: "desc" }, select: { kid: true } })).kid;
    const before = lines(cli("keys", "list").stdout).find((l) => l.startsWith(signer))!.split("\t");
    // `links` signs two tokens (unsubscribe and preferences); the CLI writes the count before it exits.
    expect(cli("links", "--email", "pat@example.com", "--unit", "acme").status).toBe(0);
    const listed = cli("keys", "list");
    expect(lines(listed.stdout)[0]).toBe("kid\tcreated\tstate\tsigned 7d\tsigned 30d");
    const row = lines(listed.stdout).find((l) => l.startsWith(signer))!.split("\t");
    expect(row[2]).toBe("active, signs new links");
    expect(Number(row[3])).toBe(Number(before[3]) + 2);
    expect(Number(row[4])).toBe(Number(before[4]) + 2);

    const rotated = cli("keys", "rotate");
    expect(rotated.status).toBe(0);
    const newKid = rotated.stdout.match(/^New signing key (\S+) signs from now on/)![1];
    expect(cli("keys", "retire", signer).status).toBe(0);
    const unknown = cli("keys", "retire", "no-such-key");
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe('There is no active signing key "no-such-key".\n');
    expect(await appDb.db.auditEvent.findMany({ where: { action: { startsWith: "key." } }, select: { action: true, target: true, actorEmail: true }, orderBy: { id: "asc" } })).toEqual([
      { action: "key.rotate", target: `key:${newKid}`, actorEmail: "cli" },
      { action: "key.retire", target: `key:${signer}`, actorEmail: "cli" },
    ]);
  });

  it("revokes a key only with --yes, saying first how many links stop working", async () => {
    const retired = (await appDb.db.signingKey.findFirstOrThrow({ where: { retiredAt: { not: null } }, orderBy: { id: "asc" }, select: { kid: true } })).kid;
    const signed = (await appDb.db.signingKeyUse.aggregate({ where: { key: { kid: retired } }, _sum: { count: true } }))._sum.count;
    expect(signed).toBeGreaterThanOrEqual(2);
    const unconfirmed = cli("keys", "revoke", retired);
    expect(unconfirmed.status).toBe(1);
    expect(unconfirmed.stderr).toContain(`Revoking ${retired} stops the ${signed} links it signed in the last 400 days`);
    expect(unconfirmed.stderr).toContain(`keys revoke ${retired} --yes`);
    const revokedAt = async () => (await appDb.db.signingKey.findUniqueOrThrow({ where: { kid: retired } })).revokedAt;
    expect(await revokedAt()).toBeNull();

    const confirmed = cli("keys", "revoke", retired, "--yes");
    expect(confirmed.status).toBe(0);
    expect(confirmed.stdout).toContain(`Revoked signing key ${retired}: the ${signed} links it signed no longer work`);
    expect(await revokedAt()).not.toBeNull();
    expect(lines(cli("keys", "list").stdout).find((l) => l.startsWith(retired))!.split("\t")[2]).toMatch(/^revoked /);
    expect(cli("keys", "revoke", retired, "--yes").stderr).toBe(`There is no signing key "${retired}" that is not revoked already.\n`);
    expect(await appDb.db.auditEvent.findMany({ where: { action: "key.revoke" }, select: { action: true, target: true, actorEmail: true, detail: true }, orderBy: { id: "asc" } })).toEqual([
      { action: "key.revoke", target: `key:${retired}`, actorEmail: "cli", detail: JSON.stringify({ linksStopped: signed }) },
    ]);
  });
});
