import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server.ts";
import { CLI_ACTOR } from "~/domain/audit/audit.server.ts";
import { halfScale } from "~/components/ledger-chart.tsx";
import { createUnit } from "../../../tests/helpers/fixtures.ts";
import { chartPeriod, dayRange, ledgerQueryString, parseLedgerQuery } from "./ledger-query.ts";
import { ADDRESS_PART_MATCHES, exportLedger, ledgerChart, resolveLedgerQuery, searchLedger } from "./ledger.server.ts";

describe("the ledger query", () => {
  it("reads the page's fields, ignoring empty ones, and says what is wrong in sentences", () => {
    expect(parseLedgerQuery({ email: " Jane@Example.COM ", unit: "example-tax", topic: "", source: "ONE_CLICK", from: "2026-05-01", to: "2026-05-31" })).toEqual({
      ok: true,
      query: { email: "jane@example.com", unit: "example-tax", source: "ONE_CLICK", from: "2026-05-01", to: "2026-05-31" },
    });
    const bad = parseLedgerQuery({ from: "2026-02-30", campaign: "12a", action: "NOPE", topic: "-1" });
    expect(bad).toEqual({
      ok: false,
      errors: {
        from: "From is not a date in the calendar.",
        campaign: "Campaign must be a campaign number.",
        action: "Action is not an action of the ledger.",
        topic: "Topic must be a topic id.",
      },
    });
    expect(parseLedgerQuery({ from: "2026-05-02", to: "2026-05-01" })).toEqual({ ok: false, errors: { to: "To must not be before the from date." } });
  });

  it("takes whole UTC days, the 'to' day included", () => {
    expect(dayRange("2026-05-01", "2026-05-31")).toEqual({ gte: new Date("2026-05-01T00:00:00Z"), lt: new Date("2026-06-01T00:00:00Z") });
    expect(dayRange(undefined, "2026-12-31")).toEqual({ lt: new Date("2027-01-01T00:00:00Z") });
  });

  it("charts the chosen days, else the last 30 to today", () => {
    const now = new Date("2026-11-22T15:00:00Z");
    expect(chartPeriod({}, now)).toEqual({ from: "2026-10-24", to: "2026-11-22", days: 30 });
    expect(chartPeriod({ from: "2026-11-01" }, now)).toEqual({ from: "2026-11-01", to: "2026-11-22", days: 22 });
    expect(chartPeriod({ to: "2026-03-01" }, now)).toEqual({ from: "2026-01-31", to: "2026-03-01", days: 30 });
    expect(chartPeriod({ from: "2024-02-29", to: "2024-03-01" }, now).days).toBe(2);
  });

  it("writes the query back as the links and the CSV form use it", () => {
    expect(ledgerQueryString({ unit: "example-tax", campaign: 12, before: 99 }, { before: "40" })).toBe("?unit=example-tax&campaign=12&before=40");
    expect(ledgerQueryString({})).toBe("");
  });

  it("cuts one bar far above the rest instead of flattening every other day", () => {
    expect(halfScale([0, 3, 5, 2])).toEqual({ max: 5, cut: false });
    expect(halfScale([600, 10, 4])).toEqual({ max: 15, cut: true });
    expect(halfScale([0, 0])).toEqual({ max: 1, cut: false });
  });
});

describe("the ledger over the database", () => {
  it("finds events by part of an address, in any case, as the suppressions search does", async () => {
    const unit = await createUnit();
    const tag = `part${Date.now()}`;
    const [jane, janet, bob] = await Promise.all(
      [`jane.${tag}@example.com`, `janet.${tag}@example.org`, `bob.${tag}@example.com`].map((email) => db.contact.create({ data: { email } })),
    );
    for (const contact of [jane, janet, bob]) {
      await db.consentEvent.create({ data: { unitId: unit.id, contactId: contact.id, action: "UNIT_OPT_OUT", source: "ADMIN" } });
    }
    const search = async (email: string) => {
      const parsed = parseLedgerQuery({ email, unit: unit.slug });
      if (!parsed.ok) return parsed.errors;
      const resolved = await resolveLedgerQuery(parsed.query);
      if (!resolved.ok) return resolved.errors;
      return (await searchLedger(resolved.scope, db)).entries.map((e) => e.email).sort();
    };
    expect(await search(`JANE`)).toEqual([jane.email, janet.email]);
    expect(await search(`${tag}@EXAMPLE.C`)).toEqual([bob.email, jane.email]);
    expect(await search(`@EXAMPLE.ORG`)).toEqual([janet.email]);
    // A whole address is searched as one (as on the suppressions page): only its own contact.
    expect(await search(jane.email.toUpperCase())).toEqual([jane.email]);
    expect(await search(`nobody-${tag}`)).toEqual([]);
    expect(await search("ja")).toEqual({ email: "Type at least 3 characters of the address." });
  });

  it("asks for more of the address when a part matches too many contacts", async () => {
    const tag = `many${Date.now()}`;
    await db.contact.createMany({ data: Array.from({ length: ADDRESS_PART_MATCHES + 1 }, (_, i) => ({ email: `p${i}.${tag}@example.com` })) });
    const parsed = parseLedgerQuery({ email: tag });
    expect(parsed.ok && (await resolveLedgerQuery(parsed.query))).toEqual({
      ok: false,
      errors: { email: `More than ${ADDRESS_PART_MATCHES} addresses contain “${tag}”: type more of the address.` },
    });
  });

  it("exports in keyset batches, newest first, exactly the events that existed when it started", async () => {
    const unit = await createUnit();
    const base = Date.parse("2026-03-10T12:00:00Z");
    for (let i = 0; i < 23; i++) {
      await db.consentEvent.create({ data: { unitId: unit.id, action: i % 2 ? "UNIT_OPT_OUT" : "UNIT_OPT_IN", source: "ADMIN", createdAt: new Date(base + i * 3_600_000) } });
    }
    const resolved = await resolveLedgerQuery({ unit: unit.slug });
    if (!resolved.ok) throw new Error("unit not found");
    const exported = await exportLedger(CLI_ACTOR, resolved.scope, { batchSize: 5 });
    // Written after the export began: not in the file, whose count was recorded at the start.
    await db.consentEvent.create({ data: { unitId: unit.id, action: "UNIT_OPT_IN", source: "ADMIN" } });
    const [header, ...rows] = parse(await new Response(exported.csv).text()) as string[][];
    expect(header[0]).toBe("event_id");
    const expected = await db.consentEvent.findMany({ where: { unitId: unit.id }, orderBy: { id: "desc" }, skip: 1, select: { id: true } });
    expect(rows.map((r) => Number(r[0]))).toEqual(expected.map((e) => e.id));
    expect(exported.rows).toBe(23);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "ledger.export" }, orderBy: { id: "desc" } });
    expect(audit.actorEmail).toBe("cli");
    expect(JSON.parse(audit.detail!)).toEqual({ filters: { unit: unit.slug }, rows: 23 });
  });

  it("counts a day's changed opt-ins and opt-outs by source; repeats, pauses and other units are left out", async () => {
    const unit = await createUnit();
    const other = await createUnit();
    const at = (time: string) => new Date(`2026-04-0${time}Z`);
    const rows = [
      { unitId: unit.id, action: "UNIT_OPT_IN", source: "PREFERENCE_CENTER", createdAt: at("1T00:00:00") },
      { unitId: unit.id, action: "SUBSCRIBE", source: "PREFERENCE_CENTER", createdAt: at("1T23:59:59.999") },
      { unitId: unit.id, action: "UNSUBSCRIBE", source: "ONE_CLICK", createdAt: at("2T08:00:00") },
      { unitId: unit.id, action: "UNIT_OPT_OUT", source: "LINK_PAGE", createdAt: at("2T09:00:00") },
      { unitId: unit.id, action: "UNIT_OPT_OUT", source: "LINK_PAGE", createdAt: at("2T09:00:01"), changed: false },
      { unitId: unit.id, action: "SNOOZE", source: "LINK_PAGE", createdAt: at("2T10:00:00") },
      { unitId: other.id, action: "UNIT_OPT_OUT", source: "ONE_CLICK", createdAt: at("2T10:00:00") },
      { unitId: unit.id, action: "UNIT_OPT_OUT", source: "ONE_CLICK", createdAt: at("4T00:00:00") },
    ] as const;
    for (const row of rows) await db.consentEvent.create({ data: row });
    const chart = await ledgerChart(unit, { from: "2026-04-01", to: "2026-04-03" });
    expect(chart.days).toEqual([
      { day: "2026-04-01", optIns: { PREFERENCE_CENTER: 2 }, optOuts: {} },
      { day: "2026-04-02", optIns: {}, optOuts: { ONE_CLICK: 1, LINK_PAGE: 1 } },
      { day: "2026-04-03", optIns: {}, optOuts: {} },
    ]);
    expect(chart.sources).toEqual(["PREFERENCE_CENTER", "LINK_PAGE", "ONE_CLICK"]);
    expect(chart.totals).toEqual({ optIns: 2, optOuts: 2 });
  });
});
