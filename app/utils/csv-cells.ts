// CSV files staff open in a spreadsheet: the postal and phone lists, suppressions and the ledger.

/**
 * A cell a spreadsheet will not run as a formula (CSV injection): text starting with = + - @
 * (or a tab or carriage return, which some spreadsheets skip before looking) gets a leading '.
 * Phone numbers such as +44 … get it too; a spreadsheet would otherwise compute them.
 */
export function inertCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** Undoes inertCell, so a file this product wrote can be read back in unchanged. */
export function fromInertCell(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}
