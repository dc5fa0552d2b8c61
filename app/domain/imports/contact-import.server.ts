// Contact import: a CSV file of subscriptions for one unit, read as a stream, checked row by
// row, and handed to the consent core in batches (source IMPORT). Bad rows are reported with
// their line numbers and do not stop the good ones; rows the consent core declines are
// reported as skipped with the reason. Running the same file again changes nothing.

import fs from "node:fs";
import { Readable, pipeline } from "node:stream";
import { CsvError, parse } from "csv-parse";
import { db } from "~/utils/db.server.ts";
import { refreshQueryStatistics } from "~/utils/query-statistics.server.ts";
import { applyImportedSubscriptions, type ImportSkipReason } from "~/domain/consent/import-batch.server.ts";
import { recordAudit, type AuditActor } from "~/domain/audit/audit.server.ts";
import { toE164 } from "~/utils/phone-numbers.ts";
import { saveAsUtf8Message, utf16In, utf8Checker } from "./file-encoding.ts";
import {
  checkRow,
  HEADER,
  ImportFileError,
  readHeader,
  SKIP_REASON_LABEL,
  skippedTotal,
  type ColumnMap,
  type ContactRow,
  type ImportTopic,
} from "./contact-csv.ts";

export { ImportFileError, skippedTotal } from "./contact-csv.ts";

/** A file on disk (the CLI) or its bytes (an upload). */
export type CsvInput = { path: string } | { content: Buffer | string };

export type ImportReport = {
  unit: { slug: string; displayName: string };
  /** Data rows read (the header and blank lines not counted). */
  rows: number;
  /** Rows that subscribed someone, or changed the consent their subscription rests on. */
  subscribed: number;
  /** Rows whose consent was already in force (the same or stronger): nothing written. */
  unchanged: number;
  skipped: Record<ImportSkipReason, number>;
  /** Rows that could not be read, with the first ROWS_LISTED of them. */
  bad: number;
  badLines: ListedRow[];
  /** The first ROWS_LISTED skipped rows (counted by reason in `skipped`). */
  skippedLines: ListedRow[];
  contactsCreated: number;
  /** Existing contacts that got a postal address, phone number or missing name from the file. */
  contactsUpdated: number;
};

/** A row of the file that was not imported: its line, the address as typed (may be empty or not an address) and why. */
export type ListedRow = { line: number; email: string; reason: string };

/** Bad and skipped rows kept each (for the page, the CLI and the downloadable CSV): enough to fix a file, bounded in memory. */
export const ROWS_LISTED = 1000;
/** Rows per consent-core batch: one transaction each, a few queries whatever the size. */
export const IMPORT_BATCH_ROWS = 1000;
// A longer row is not a contact: most likely a broken quote swallowing the file.
const MAX_RECORD_BYTES = 64 * 1024;
const PIECE_BYTES = 64 * 1024;
const YIELD_EVERY_RECORDS = 1000;

/** The unit an import names by slug, or null. */
export function findImportUnit(slug: string) {
  return db.businessUnit.findUnique({
    where: { slug },
    select: { id: true, slug: true, displayName: true },
  });
}

export type ImportOptions = {
  unitId: number;
  input: CsvInput;
  /** Recorded on every ledger event: "user:3", "cli:import". */
  actor: string;
  now?: Date;
  /** Writes the `contacts.import` audit entry once the import has committed (the web page and the CLI; ADR 056). */
  audit?: { actor: AuditActor; fileName: string };
  /** Called as batches land: rows done (good and bad) of the file's data rows. */
  onProgress?: (done: number, total: number) => void;
  batchRows?: number;
};

/**
 * Imports the file into the unit. The whole file is read once first for its header and CSV
 * structure (and the row count the progress bar needs), so a file that cannot be read as a
 * whole fails with an ImportFileError before anything is written.
 */
export async function importContacts(options: ImportOptions): Promise<ImportReport> {
  const now = options.now ?? new Date();
  const batchRows = options.batchRows ?? IMPORT_BATCH_ROWS;
  const unit = await db.businessUnit.findUniqueOrThrow({
    where: { id: options.unitId },
    select: {
      id: true,
      slug: true,
      displayName: true,
      topics: {
        select: {
          id: true,
          slug: true,
          name: true,
          archivedAt: true,
          offersEmail: true,
          offersPostal: true,
          offersPhone: true,
        },
      },
    },
  });
  await checkEncoding(options.input);
  const total = await countRows(options.input);
  options.onProgress?.(0, total);

  const report: ImportReport = {
    unit: { slug: unit.slug, displayName: unit.displayName },
    rows: 0,
    subscribed: 0,
    unchanged: 0,
    skipped: {
      ERASED: 0,
      SUPPRESSED: 0,
      GLOBAL_OPT_OUT: 0,
      UNIT_OPT_OUT: 0,
      UNSUBSCRIBED: 0,
      CONSENT_EXPIRED: 0,
    },
    bad: 0,
    badLines: [],
    skippedLines: [],
    contactsCreated: 0,
    contactsUpdated: 0,
  };
  const badRow = (line: number, fields: string[], reason: string) => {
    report.bad++;
    if (report.badLines.length < ROWS_LISTED)
      report.badLines.push({
        line,
        email: columns ? (fields[columns.email] ?? "").trim() : "",
        reason,
      });
  };
  const topics = new Map<string, ImportTopic>(unit.topics.map((t) => [t.slug, t]));
  const conflicts = fileConflicts();
  let batch: ContactRow[] = [];
  let batchLines: number[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const result = await applyImportedSubscriptions(
      unit.id,
      batch.map((row) => ({ ...row, origin: row.source })),
      { source: "IMPORT", actor: options.actor, now: options.now },
    );
    result.outcomes.forEach((o, i) => {
      if (o.outcome === "SUBSCRIBED") report.subscribed++;
      else if (o.outcome === "UNCHANGED") report.unchanged++;
      else {
        report.skipped[o.reason]++;
        if (report.skippedLines.length < ROWS_LISTED)
          report.skippedLines.push({
            line: batchLines[i],
            email: batch[i].email,
            reason: SKIP_REASON_LABEL[o.reason],
          });
      }
    });
    report.contactsCreated += result.contactsCreated;
    report.contactsUpdated += result.contactsUpdated;
    batch = [];
    batchLines = [];
    options.onProgress?.(report.rows, total);
  };

  let columns: ColumnMap | null = null;
  try {
    for await (const { fields, line } of csvRecords(options.input)) {
      if (!columns) {
        columns = readHeader(fields);
        continue;
      }
      report.rows++;
      const check = checkRow(fields, columns, topics, unit.displayName, now, toE164);
      if (!check.ok) {
        badRow(line, fields, check.reason);
        continue;
      }
      const conflict = conflicts.check(check.row, line);
      if (conflict) {
        badRow(line, fields, conflict);
        continue;
      }
      batch.push(check.row);
      batchLines.push(line);
      if (batch.length >= batchRows) await flush();
    }
    await flush();
  } catch (error) {
    // Batches before a part-way stop (a topic archived meanwhile) are committed: the audit says so.
    if (options.audit && report.subscribed + report.unchanged + skippedTotal(report) > 0) {
      await recordAudit(db, options.audit.actor, importAudit(unit.id, options.audit.fileName, report, error instanceof Error ? error.message : String(error)));
    }
    throw error;
  }
  // After the last batch has committed, not inside it: an import is many transactions of
  // IMPORT_BATCH_ROWS rows (one over the whole file would hold the database for minutes), so
  // the entry is written once, with the final counts, right after them (ADR 056).
  if (options.audit) await recordAudit(db, options.audit.actor, importAudit(unit.id, options.audit.fileName, report));
  // An import can grow the tables many times over: the planner's statistics must follow (bounded, usually a no-op).
  await refreshQueryStatistics(db, ["Contact", "Subscription"]);
  options.onProgress?.(report.rows, total);
  return report;
}

function importAudit(unitId: number, fileName: string, report: ImportReport, stoppedBecause?: string) {
  return {
    action: "contacts.import",
    target: `unit:${unitId}`,
    detail: {
      file: fileName,
      rows: report.rows,
      subscribed: report.subscribed,
      unchanged: report.unchanged,
      skipped: skippedTotal(report),
      bad: report.bad,
      contactsCreated: report.contactsCreated,
      contactsUpdated: report.contactsUpdated,
      ...(stoppedBecause ? { stoppedPartWay: stoppedBecause } : {}),
    },
  };
}

/** A file that is not UTF-8 (UTF-16, Windows-1252) is refused before anything is read as CSV, naming the encoding found. */
async function checkEncoding(input: CsvInput): Promise<void> {
  const checker = utf8Checker();
  const source = "path" in input ? fs.createReadStream(input.path) : Readable.from(inPieces(input.content));
  let first = true;
  try {
    for await (const piece of source as AsyncIterable<Buffer>) {
      const found = (first ? utf16In(piece) : null) ?? checker.push(piece);
      first = false;
      if (found) throw new ImportFileError(saveAsUtf8Message(found));
    }
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw new ImportFileError(describeReadError(error, 1, input));
  } finally {
    source.destroy();
  }
  const found = checker.end();
  if (found) throw new ImportFileError(saveAsUtf8Message(found));
}

/**
 * Rows of one file that contradict each other. A file gives each subscription once and each
 * person one postal address and phone number; a later row saying otherwise is a bad row, so
 * which one wins never depends on batch order and running the file again changes nothing.
 * An exact repeat of a subscription is harmless and goes through (it is then unchanged).
 */
function fileConflicts() {
  const subscriptions = new Map<string, { line: number; basis: string; consentedAt: number }>();
  const postal = new Map<string, { line: number; value: string }>();
  const phones = new Map<string, { line: number; value: string }>();
  return {
    check(row: ContactRow, line: number): string | null {
      const key = `${row.email}|${row.topicId}|${row.channel}`;
      const earlier = subscriptions.get(key);
      if (earlier && (earlier.basis !== row.basis || earlier.consentedAt !== row.consentedAt.getTime())) {
        return `line ${earlier.line} gives the same email, topic and channel a different basis or consented_at`;
      }
      const earlierPostal = row.postalAddress ? postal.get(row.email) : undefined;
      if (earlierPostal && earlierPostal.value !== row.postalAddress) return `postal_address differs from line ${earlierPostal.line} for the same email`;
      const earlierPhone = row.phone ? phones.get(row.email) : undefined;
      if (earlierPhone && earlierPhone.value !== row.phone) return `phone differs from line ${earlierPhone.line} for the same email`;
      if (!earlier)
        subscriptions.set(key, {
          line,
          basis: row.basis,
          consentedAt: row.consentedAt.getTime(),
        });
      if (row.postalAddress && !earlierPostal) postal.set(row.email, { line, value: row.postalAddress });
      if (row.phone && !earlierPhone) phones.set(row.email, { line, value: row.phone });
      return null;
    },
  };
}

/** Reads the whole file for its header and structure: the number of data rows. */
async function countRows(input: CsvInput): Promise<number> {
  let rows = -1;
  for await (const { fields } of csvRecords(input)) {
    if (rows === -1) readHeader(fields);
    rows++;
  }
  if (rows === -1) throw new ImportFileError(`The file is empty: its first line must be the header ${HEADER}.`);
  return rows;
}

/** The file's non-blank records with the line each starts on; CSV that cannot be read is an ImportFileError. */
async function* csvRecords(input: CsvInput): AsyncGenerator<{ fields: string[]; line: number }> {
  // Counted as the parser reads (on_record), not as records are consumed: a parse error can
  // arrive while earlier records still wait in the stream's buffer.
  let nextLine = 1;
  const parser = parse({
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: MAX_RECORD_BYTES,
    on_record(fields: string[]) {
      const line = nextLine;
      // A quoted value may hold line breaks: the next record starts below them.
      for (const field of fields) nextLine += field.match(/\r\n|\r|\n/g)?.length ?? 0;
      nextLine++;
      return fields.every((field) => field.trim() === "") ? null : Object.assign(fields, { line });
    },
  });
  const source = "path" in input ? fs.createReadStream(input.path) : Readable.from(inPieces(input.content));
  pipeline(source, parser, () => {});
  try {
    let sinceBreak = 0;
    for await (const fields of parser as AsyncIterable<string[] & { line: number }>) {
      yield { fields, line: fields.line };
      // Inside the web process, other requests (one-click unsubscribes among them) get a turn.
      if (++sinceBreak === YIELD_EVERY_RECORDS) {
        sinceBreak = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  } catch (error) {
    throw new ImportFileError(describeReadError(error, nextLine, input));
  } finally {
    source.destroy();
  }
}

/** An upload in file-sized pieces: the parser then reads it a piece at a time, as it reads a file, instead of all at once. */
function* inPieces(content: Buffer | string): Generator<Buffer> {
  const bytes = typeof content === "string" ? Buffer.from(content) : content;
  for (let start = 0; start < bytes.length; start += PIECE_BYTES) yield bytes.subarray(start, start + PIECE_BYTES);
}

function describeReadError(error: unknown, line: number, input: CsvInput): string {
  if (error instanceof CsvError) {
    if (error.code === "CSV_QUOTE_NOT_CLOSED") return `Line ${line}: a quoted value starts here and is never closed, so the rest of the file cannot be read. Check the double quotes on that line.`;
    if (error.code === "CSV_MAX_RECORD_SIZE") return `Line ${line}: the row is longer than ${MAX_RECORD_BYTES / 1024} KiB, so this is probably not a contact file (or a quote is never closed).`;
    return `Line ${line}: the file is not valid CSV (${error.message}).`;
  }
  const code = (error as NodeJS.ErrnoException).code;
  const name = "path" in input ? input.path : "the upload";
  if (code === "ENOENT") return `There is no file ${name}.`;
  if (code === "EISDIR") return `${name} is a folder, not a CSV file.`;
  if (code === "EACCES") return `${name} cannot be read: permission denied.`;
  throw error;
}
