// The suppression file, in and out: `email,reason,note` (the export adds `added_at`). Pure,
// with no server imports, so the import page shows the same words the checks use.

import { parse } from "csv-parse/sync";
import type { SuppressionReason } from "~/generated/prisma/enums.ts";
import { EmailSchema } from "~/domain/consent/email.ts";
import { fromInertCell } from "~/utils/csv-cells.ts";

export const IMPORT_HEADER = "email,reason,note";
/** The export's columns: the import's, and when the entry was added (ignored on import). */
export const EXPORT_COLUMNS = ["email", "reason", "note", "added_at"] as const;
const KNOWN_COLUMNS: readonly string[] = EXPORT_COLUMNS;

/**
 * The reasons a file may carry. Never ERASED: an erasure comes from the person's own request
 * and keeps only a hash of the address, so a file that names the address cannot make one.
 */
// SOFT_BOUNCE too: an exported file, which holds them, must import again.
export const IMPORTABLE_REASONS = ["MANUAL", "COMPLAINT", "HARD_BOUNCE", "SOFT_BOUNCE"] as const satisfies readonly SuppressionReason[];
export type ImportableReason = (typeof IMPORTABLE_REASONS)[number];

export const REASON_LABEL: Record<SuppressionReason, string> = {
  MANUAL: "Manual",
  COMPLAINT: "Spam complaint",
  HARD_BOUNCE: "Hard bounce",
  SOFT_BOUNCE: "Repeated soft bounces",
  ERASED: "Erased",
};

/** The spelling files use: lower case, "hard_bounce". */
export const reasonInFile = (reason: SuppressionReason) => reason.toLowerCase();

export const NOTE_MAX = 500;
/** Data lines one upload may hold: the whole file is written in one transaction (ADR 013). */
export const IMPORT_MAX_ROWS = 20_000;

/** Why a file cannot be imported at all (empty, wrong header, broken CSV): nothing was written. */
export class SuppressionFileError extends Error {
  name = "SuppressionFileError";
}

export type SuppressionRow = { line: number; email: string; reason: ImportableReason; note: string | null };
export type BadLine = { line: number; reason: string };
export type ParsedSuppressionFile = { rows: SuppressionRow[]; bad: BadLine[] };

const quoted = (text: string, max = 80) => JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);

/** "hard bounce", "Hard-Bounce", "HARD_BOUNCE" → HARD_BOUNCE; empty → MANUAL. */
export function readReason(text: string): { ok: true; reason: ImportableReason } | { ok: false; problem: string } {
  const word = text
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, "_");
  if (word === "") return { ok: true, reason: "MANUAL" };
  if ((IMPORTABLE_REASONS as readonly string[]).includes(word)) return { ok: true, reason: word as ImportableReason };
  if (word === "ERASED") {
    return {
      ok: false,
      problem:
        "reason erased cannot be imported: an erasure is made only at the person's request, and keeps a hash of the address, never the address",
    };
  }
  return { ok: false, problem: `reason must be manual, complaint, hard_bounce or soft_bounce, or empty for manual (got ${quoted(text)})` };
}

/** Checks one data line against the header's columns; every problem is named. */
export function checkLine(fields: string[], columns: Map<string, number>, line: number): SuppressionRow | BadLine {
  if (fields.length > columns.size) {
    return { line, reason: `has ${fields.length} fields where the header has ${columns.size} (a note containing a comma needs "double quotes")` };
  }
  const value = (name: string) => {
    const index = columns.get(name);
    return index === undefined ? "" : fromInertCell((fields[index] ?? "").trim());
  };
  const problems: string[] = [];
  const email = EmailSchema.safeParse(value("email"));
  if (!email.success) problems.push(`email ${quoted(value("email"))}: ${email.error.issues[0].message.toLowerCase()}`);
  const reason = readReason(value("reason"));
  if (!reason.ok) problems.push(reason.problem);
  const note = value("note");
  if (note.length > NOTE_MAX) problems.push(`note is longer than ${NOTE_MAX} characters`);
  if (problems.length > 0 || !email.success || !reason.ok) return { line, reason: problems.join("; ") };
  return { line, email: email.data, reason: reason.reason, note: note === "" ? null : note };
}

/** The file's good rows and its bad lines (with the line each starts on). */
export function parseSuppressionFile(content: string | Buffer): ParsedSuppressionFile {
  const records = readRecords(content);
  if (records.length === 0) throw new SuppressionFileError(`The file is empty: its first line must be the header ${IMPORT_HEADER}.`);
  const [header, ...data] = records;
  const columns = readHeader(header.fields);
  if (data.length > IMPORT_MAX_ROWS) {
    throw new SuppressionFileError(
      `The file has ${data.length.toLocaleString("en-GB")} lines; one import takes at most ${IMPORT_MAX_ROWS.toLocaleString("en-GB")}. Split it into smaller files and import each one.`,
    );
  }
  const rows: SuppressionRow[] = [];
  const bad: BadLine[] = [];
  for (const record of data) {
    const checked = checkLine(record.fields, columns, record.line);
    if ("email" in checked) rows.push(checked);
    else bad.push(checked);
  }
  return { rows, bad };
}

/** Column name → index. email is required; reason, note and the export's added_at are optional. */
export function readHeader(fields: string[]): Map<string, number> {
  const names = fields.map((f) => f.trim().toLowerCase());
  const unknown = names.filter((name) => !KNOWN_COLUMNS.includes(name));
  if (!names.includes("email") || unknown.length > 0 || new Set(names).size !== names.length) {
    throw new SuppressionFileError(
      `The first line must be the header ${IMPORT_HEADER} (reason and note may be left out); this file's first line is ${quoted(fields.join(","), 120)}.`,
    );
  }
  return new Map(names.map((name, index) => [name, index]));
}

type Record_ = { fields: string[]; line: number };

function readRecords(content: string | Buffer): Record_[] {
  // Counted as the parser reads: a quoted note may hold line breaks, and the next record starts below them.
  let nextLine = 1;
  try {
    return parse(content, {
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      max_record_size: 16 * 1024,
      on_record(fields: string[]) {
        const line = nextLine;
        for (const field of fields) nextLine += field.match(/\r\n|\r|\n/g)?.length ?? 0;
        nextLine++;
        return fields.every((field) => field.trim() === "") ? null : Object.assign(fields, { line });
      },
    }).map((fields) => ({ fields: [...fields], line: (fields as string[] & { line: number }).line }));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "CSV_QUOTE_NOT_CLOSED") {
      throw new SuppressionFileError(
        `Line ${nextLine}: a quoted value starts here and is never closed, so the rest of the file cannot be read. Check the double quotes on that line.`,
      );
    }
    if (code === "CSV_MAX_RECORD_SIZE")
      throw new SuppressionFileError(`Line ${nextLine}: the line is longer than 16 KiB, so this is probably not a suppression file.`);
    throw new SuppressionFileError(`Line ${nextLine}: the file is not valid CSV (${(error as Error).message}).`);
  }
}
