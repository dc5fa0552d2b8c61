// `npm run cli -- contacts …`: contacts in from a CSV file.

import cliProgress from "cli-progress";
import { options, required, UsageError, type Command } from "./args.ts";

export const contactCommands: Record<string, Command> = {
  "contacts import": {
    usage:
      "contacts import <file.csv> --unit <slug>         import subscriptions from CSV (email,name,topic,channel,basis,consented_at,source[,postal_address][,phone])",
    async run(args) {
      const { values, positionals } = options(args, { unit: { type: "string" } });
      const file = required(positionals[0], "<file.csv>");
      if (positionals.length > 1) throw new UsageError(`Give one file; got ${positionals.length}.`);
      const unitSlug = required(values.unit, "--unit");
      const { findImportUnit, importContacts, skippedTotal } = await import("~/domain/imports/contact-import.server.ts");
      const { SKIP_REASON_LABEL } = await import("~/domain/imports/contact-csv.ts");
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
        `  bad rows:   ${report.bad}`,
        ...report.badLines.map((bad) => `    line ${bad.line}: ${bad.reason}`),
        ...(report.bad > report.badLines.length ? [`    … and ${report.bad - report.badLines.length} more bad rows.`] : []),
      ];
      console.log(lines.join("\n"));
      if (report.bad > 0) console.log("Fix the bad rows and import the file again: rows already imported stay as they are.");
    },
  },
};
