// `npm run cli -- contacts …`: contacts in from a CSV file.

import cliProgress from "cli-progress";
import { options, required, UsageError, type Command } from "./args.ts";

/** The exit status of an import that ran but had bad rows: the good rows are in, the file needs fixing. */
export const BAD_ROWS_EXIT = 3;

// Rows printed of each list: a terminal's worth; the web page offers all of them as CSV.
const ROWS_PRINTED = 20;

export const contactCommands: Record<string, Command> = {
  "contacts import": {
    usage:
      "contacts import <file.csv> --unit <slug>         import subscriptions from CSV (email,name,topic,channel,basis,consented_at,source[,postal_address][,phone]); exit status 3 if rows were bad",
    async run(args) {
      const { values, positionals } = options(args, { unit: { type: "string" } });
      const file = required(positionals[0], "<file.csv>");
      if (positionals.length > 1) throw new UsageError(`Give one file; got ${positionals.length}.`);
      const unitSlug = required(values.unit, "--unit");
      const { findImportUnit, importContacts, skippedTotal } = await import("~/domain/imports/contact-import.server.ts");
      const { SKIP_REASON_LABEL } = await import("~/domain/imports/contact-csv.ts");
      const { CLI_ACTOR } = await import("~/domain/audit/audit.server.ts");
      const unit = await findImportUnit(unitSlug);
      if (!unit) throw new Error(`There is no business unit "${unitSlug}".`);

      const bar = new cliProgress.SingleBar(
        { format: "Importing [{bar}] {value}/{total} rows {percentage}% ETA {eta_formatted}", etaBuffer: 20 },
        cliProgress.Presets.shades_classic,
      );
      let started = false;
      const report = await importContacts({
        unitId: unit.id,
        input: { path: file },
        actor: "cli:import",
        audit: { actor: CLI_ACTOR, fileName: file },
        // The first call comes once the file is counted, so the bar starts at the real total.
        onProgress(done, total) {
          if (!started) bar.start(total, 0);
          started = true;
          bar.update(done);
        },
      }).finally(() => started && bar.stop());

      const lines = [
        `Imported ${file} into ${unit.slug}: ${report.rows} row${report.rows === 1 ? "" : "s"} read.`,
        `  subscribed: ${report.subscribed} (${report.contactsCreated} new contact${report.contactsCreated === 1 ? "" : "s"}, ${report.contactsUpdated} existing contact${report.contactsUpdated === 1 ? "" : "s"} given new details)`,
        `  unchanged:  ${report.unchanged} (consent already in force)`,
        `  skipped:    ${skippedTotal(report)}`,
        ...Object.entries(report.skipped)
          .filter(([, n]) => n > 0)
          .map(([reason, n]) => `    ${n}\t${SKIP_REASON_LABEL[reason as keyof typeof SKIP_REASON_LABEL]}`),
        ...report.skippedLines.slice(0, ROWS_PRINTED).map((row) => `    line ${row.line}: ${row.email || "(no address)"}: ${row.reason}`),
        ...(skippedTotal(report) > ROWS_PRINTED ? [`    … and ${skippedTotal(report) - ROWS_PRINTED} more skipped rows.`] : []),
        `  bad rows:   ${report.bad}`,
        ...report.badLines.slice(0, ROWS_PRINTED).map((bad) => `    line ${bad.line}: ${bad.email || "(no address)"}: ${bad.reason}`),
        ...(report.bad > ROWS_PRINTED ? [`    … and ${report.bad - ROWS_PRINTED} more bad rows.`] : []),
      ];
      console.log(lines.join("\n"));
      if (report.bad === 0) return 0;
      // Bad rows make the run a failure for a script (`… && next step`), though the good rows are in.
      console.log("Fix the bad rows and import the file again: rows already imported stay as they are.");
      return BAD_ROWS_EXIT;
    },
  },
};
