// CSV files staff open in a spreadsheet: the postal and phone lists, suppressions and the ledger.

/**
 * A cell a spreadsheet will not run as a formula (CSV injection): text starting with = + - @
 * (or a tab or carriage return, which some spreadsheets skip before looking) gets a leading '.
 * Every cell but a phone list's E.164 number (phoneCell) goes through here.
 */
export function inertCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** Undoes inertCell, so a file this product wrote can be read back in unchanged. */
export function fromInertCell(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

/**
 * A phone list's number cell. A number in E.164 ("+442079460123": "+" and digits, nothing a
 * formula needs) is written as it is, because dialers read the apostrophe as part of the number;
 * anything else (a number stored before normalisation that cannot be read) keeps the guard.
 */
export function phoneCell(value: string): string {
  return /^\+[1-9][0-9]{6,14}$/.test(value) ? value : inertCell(value);
}
