import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { CLI_ACTOR } from "~/domain/audit/audit.server.ts";
import { changeStaffRole, PeopleError, revokeStaffAccess } from "./people.server.ts";

// Two admins removing each other at the same moment: each transaction counts the other as the
// admin who remains. On PostgreSQL (the process's pool) they run side by side; on SQLite one
// after the other. Either way one admin must remain.
const activeAdmins = () => db.user.count({ where: { role: "ADMIN", accessRevokedAt: null, emailVerifiedAt: { not: null } } });

async function twoAdmins() {
  await db.user.updateMany({ where: { role: "ADMIN" }, data: { accessRevokedAt: new Date() } });
  const make = (name: string) =>
    db.user.create({ data: { email: `${name}-${Math.random().toString(36).slice(2, 8)}@example.org`, name, role: "ADMIN", emailVerifiedAt: new Date() } });
  const admins = [await make("ada"), await make("bea")];
  return admins.map((a) => ({ ...CLI_ACTOR, userId: a.id, email: a.email, id: a.id }));
}

describe("the last admin", () => {
  it("is kept when two admins revoke each other's access at once", async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = await twoAdmins();
      const answers = await Promise.allSettled([revokeStaffAccess(a, b.id), revokeStaffAccess(b, a.id)]);
      expect(answers.filter((x) => x.status === "rejected").map((x) => (x as PromiseRejectedResult).reason)).toEqual([expect.any(PeopleError)]);
      expect(await activeAdmins()).toBe(1);
    }
  });

  it("is kept when two admins make each other marketers at once", async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = await twoAdmins();
      const answers = await Promise.allSettled([changeStaffRole(a, b.id, "MARKETER"), changeStaffRole(b, a.id, "MARKETER")]);
      expect(answers.filter((x) => x.status === "rejected")).toHaveLength(1);
      expect(await activeAdmins()).toBe(1);
    }
  });
});
