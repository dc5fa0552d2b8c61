import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { createTopic, createUnit } from "../helpers/fixtures.ts";
import { TEST_TMP } from "../helpers/paths.ts";

// `npm run cli -- contacts import`, run as a person would, against this file's own database.

const HEADER = "email,name,topic,channel,basis,consented_at,source";
const files: string[] = [];

function cli(...args: string[]) {
  const result = spawnSync(path.resolve("node_modules/.bin/tsx"), ["app/cli/main.ts", ...args], { env: process.env, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function csvFile(content: string): string {
  const file = path.join(TEST_TMP, `import-${crypto.randomUUID()}.csv`);
  fs.writeFileSync(file, content);
  files.push(file);
  return file;
}

let unit: { id: number; slug: string };

beforeAll(async () => {
  unit = await createUnit({ slug: "cli-unit", displayName: "CLI Unit" });
  await createTopic(unit.id, { slug: "offers", offersPhone: false });
});

afterAll(() => {
  for (const file of files) fs.rmSync(file, { force: true });
});

describe("contacts import", () => {
  it("imports the file, prints the summary with bad and skipped lines, exits 3 for the bad rows, and changes nothing the second time", async () => {
    const file = csvFile(
      [
        HEADER,
        "cli.one@example.com,One,offers,email,express,2025-01-01,fair",
        "cli.one@example.com,One,offers,phone,express,2025-01-01,fair",
        "cli.two@example.com,Two,offers,postal,implied_inquiry,2020-01-01,enquiry",
        "cli.three@example.com,Three,offers,postal,implied_purchase,2025-01-01T08:00:00Z,shop",
      ].join("\n"),
    );
    const run = cli("contacts", "import", file, "--unit", "cli-unit");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(3);
    expect(run.stdout).toBe(
      [
        `Imported ${file} into cli-unit: 4 rows read.`,
        "  subscribed: 2 (2 new contacts, 0 existing contacts given new details)",
        "  unchanged:  0 (consent already in force)",
        "  skipped:    1",
        "    1\timplied consent already expired",
        "    line 4: cli.two@example.com: implied consent already expired",
        "  bad rows:   1",
        "    line 3: cli.one@example.com: topic “offers” is not offered by phone (only email, postal mail)",
        "Fix the bad rows and import the file again: rows already imported stay as they are.",
        "",
      ].join("\n"),
    );
    const events = await db.consentEvent.findMany({ where: { unitId: unit.id } });
    expect(events.map((e) => [e.source, e.actor])).toEqual([
      ["IMPORT", "cli:import"],
      ["IMPORT", "cli:import"],
    ]);

    const audit = await db.auditEvent.findMany({ where: { action: "contacts.import", target: `unit:${unit.id}` } });
    expect(audit.map((a) => [a.actorEmail, a.actorUserId, JSON.parse(a.detail!)])).toEqual([
      ["cli", null, { file, rows: 4, subscribed: 2, unchanged: 0, skipped: 1, bad: 1, contactsCreated: 2, contactsUpdated: 0 }],
    ]);

    const again = cli("contacts", "import", file, "--unit", "cli-unit");
    expect(again.status).toBe(3);
    expect(again.stdout).toContain("  subscribed: 0 (0 new contacts, 0 existing contacts given new details)\n  unchanged:  2 ");
    expect(await db.consentEvent.count({ where: { unitId: unit.id } })).toBe(2);
  });

  it("exits 0 when no row was bad", () => {
    const run = cli("contacts", "import", csvFile(`${HEADER}\ncli.good@example.com,Good,offers,email,express,2025-01-01,fair\n`), "--unit", "cli-unit");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("refuses a UTF-16 file, naming the encoding", () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\nzoe@example.com,Zoë,offers,email,express,2025-01-01,fair\n`, "utf16le")]);
    const file = path.join(TEST_TMP, `import-${crypto.randomUUID()}.csv`);
    fs.writeFileSync(file, utf16);
    files.push(file);
    const run = cli("contacts", "import", file, "--unit", "cli-unit");
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^This file is saved as UTF-16 \(little-endian, with a byte order mark\), not UTF-8\. Save it as UTF-8/);
  });

  it("lists the first 20 bad lines and counts the rest", () => {
    const rows = Array.from({ length: 23 }, (_, i) => `not-an-address-${i},,offers,email,express,2025-01-01,fair`);
    const run = cli("contacts", "import", csvFile([HEADER, ...rows].join("\n")), "--unit", "cli-unit");
    expect(run.status).toBe(3);
    expect(run.stdout).toContain("  bad rows:   23\n    line 2: not-an-address-0: ");
    expect(run.stdout).toContain("    line 21: ");
    expect(run.stdout).not.toContain("    line 22: ");
    expect(run.stdout).toContain("    … and 3 more bad rows.");
  });

  it("exits non-zero with one clear line for an unknown unit, a missing file or a wrong header", () => {
    const good = csvFile(`${HEADER}\n`);
    const unknownUnit = cli("contacts", "import", good, "--unit", "no-such-unit");
    expect(unknownUnit.status).toBe(1);
    expect(unknownUnit.stderr).toBe('There is no business unit "no-such-unit".\n');

    const missing = path.join(TEST_TMP, "no-such-file.csv");
    const missingFile = cli("contacts", "import", missing, "--unit", "cli-unit");
    expect(missingFile.status).toBe(1);
    expect(missingFile.stderr).toBe(`There is no file ${missing}.\n`);

    const wrongHeader = cli("contacts", "import", csvFile("email,name\nann@example.com,Ann\n"), "--unit", "cli-unit");
    expect(wrongHeader.status).toBe(1);
    expect(wrongHeader.stderr).toBe(
      "The first line must be the header email,name,topic,channel,basis,consented_at,source (optionally followed by postal_address and/or phone); this file's first line is “email,name”.\n",
    );
    expect(wrongHeader.stdout).toBe("");

    const noUnit = cli("contacts", "import", good);
    expect(noUnit.status).toBe(2);
    expect(noUnit.stderr).toContain("--unit is required.\nUsage: npm run cli -- contacts import <file.csv> --unit <slug>");
  });
});
