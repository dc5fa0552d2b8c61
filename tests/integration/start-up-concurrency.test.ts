import { afterAll, describe, expect, it } from "vitest";
import { createDb, db } from "~/utils/db.server.ts";
import { getEnv } from "~/utils/env.server.ts";
import { CLI_ACTOR } from "~/domain/audit/audit.server.ts";
import { DEFAULT_CONSENT_TEXTS, ensureConsentTexts } from "~/domain/consent/consent-texts.server.ts";
import { retireKey, revokeKey } from "~/domain/tokens/keys.server.ts";
import { createSigningKey, ensureSigningKey } from "~/domain/tokens/keyring.server.ts";
import { ensureGroupCategories, GROUP_CATEGORIES } from "~/domain/transactional/group-categories.server.ts";
import { testsOnPostgresql } from "../helpers/test-database.ts";

// Several web processes and workers starting at once on one database (a deploy restarts them
// together), each making sure the rows it needs exist. On PostgreSQL a connection each; on
// SQLite one process's requests share its one writing connection (a second connection in the
// same process would wait for the first's lock synchronously, stopping the process holding it).
const connections = testsOnPostgresql ? Array.from({ length: 8 }, () => createDb(getEnv().DATABASE_URL)) : Array.from({ length: 8 }, () => db);
afterAll(() => Promise.all(connections.map((c) => (c === db ? undefined : c.$disconnect()))));

async function allAtOnce(work: (client: typeof db, index: number) => Promise<unknown>) {
  const answers = await Promise.allSettled(connections.map((client, index) => work(client, index)));
  expect(answers.filter((a) => a.status === "rejected")).toEqual([]);
}

describe("processes starting at once", () => {
  it("make one signing key, one of each group category and one first version of each consent text", async () => {
    await allAtOnce((client) => ensureSigningKey(client));
    await allAtOnce((client) => ensureGroupCategories(client));
    await allAtOnce((client) => ensureConsentTexts(client));
    expect(await db.signingKey.count()).toBe(1);
    expect(await db.exemptCategory.count({ where: { unitId: null } })).toBe(GROUP_CATEGORIES.length);
    expect(await db.consentText.count()).toBe(DEFAULT_CONSENT_TEXTS.length);
  });
});

describe("the signing keys changed at once", () => {
  it("retiring or revoking every active key at once still leaves exactly one to sign with", async () => {
    for (let round = 0; round < 5; round++) {
      await db.signingKey.updateMany({ data: { retiredAt: new Date() } });
      const kids = await Promise.all(connections.map(() => createSigningKey(db)));
      await allAtOnce((client, i) => (i % 2 === 0 ? retireKey(CLI_ACTOR, kids[i], new Date(), client) : revokeKey(CLI_ACTOR, kids[i], new Date(), client)));
      expect(await db.signingKey.count({ where: { retiredAt: null } })).toBe(1);
    }
  });
});
