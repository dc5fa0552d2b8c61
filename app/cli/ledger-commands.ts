// `npm run cli -- ledger export …`: the consent ledger as CSV on standard output, for an
// auditor. The same search and file as /admin/ledger.csv; the export is recorded in the audit log.

import { Writable } from "node:stream";
import cliProgress from "cli-progress";
import { options, UsageError, type Command } from "./args.ts";

export const ledgerCommands: Record<string, Command> = {
  "ledger export": {
    usage:
      "ledger export [--unit <slug>] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--email <address>] [--source <SOURCE>] [--action <ACTION>] [--campaign <id>] > file.csv\n" +
      "                                                 the consent ledger as CSV (newest first; days in UTC, --to included)",
    async run(args) {
      const { values, positionals } = options(args, {
        unit: { type: "string" },
        from: { type: "string" },
        to: { type: "string" },
        email: { type: "string" },
        source: { type: "string" },
        action: { type: "string" },
        campaign: { type: "string" },
      });
      if (positionals.length > 0) throw new UsageError(`Unexpected ${positionals.join(" ")}: the file goes to standard output (add > file.csv).`);
      const { parseLedgerQuery } = await import("~/domain/ledger/ledger-query.ts");
      const { exportLedger, resolveLedgerQuery } = await import("~/domain/ledger/ledger.server.ts");
      const { CLI_ACTOR } = await import("~/domain/audit/audit.server.ts");
      const fields = Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
      const parsed = parseLedgerQuery(fields);
      if (!parsed.ok) throw new UsageError(Object.values(parsed.errors).map(asFlags).join(" "));
      const resolved = await resolveLedgerQuery(parsed.query);
      if (!resolved.ok) throw new Error(Object.values(resolved.errors).join(" "));
      if (resolved.scope.addressWithoutContact) {
        console.error(
          resolved.scope.addressWithoutContact.erased
            ? "This address was erased: its events are kept without it, so the file has no rows."
            : "No contact has this address, so the file has no rows.",
        );
      }

      // The bar goes to standard error, and only to a terminal: standard output is the file.
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar(
            { format: "Exporting [{bar}] {value}/{total} events {percentage}% ETA {eta_formatted}", stream: process.stderr },
            cliProgress.Presets.shades_classic,
          )
        : null;
      const exported = await exportLedger(CLI_ACTOR, resolved.scope, {
        // A process of its own, with nobody else to answer: bigger batches, fewer round trips.
        batchSize: 1000,
        onProgress(done, total) {
          if (done === 0) bar?.start(total, 0);
          else bar?.update(done);
        },
      });
      try {
        await exported.csv.pipeTo(Writable.toWeb(process.stdout), { preventClose: true });
      } finally {
        bar?.stop();
      }
      console.error(`Exported ${exported.rows.toLocaleString("en-GB")} ledger event${exported.rows === 1 ? "" : "s"}.`);
    },
  },
};

/** "From must be …" → "--from must be …": the page's field names are the command's flags. */
function asFlags(sentence: string): string {
  return sentence.replace(/^(Address|Unit|Source|Action|Campaign|From|To)\b/, (name) => `--${name === "Address" ? "email" : name.toLowerCase()}`);
}
