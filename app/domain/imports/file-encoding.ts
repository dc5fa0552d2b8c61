// Which text encoding an uploaded CSV file is in, when it is not UTF-8. Spreadsheets save CSV
// as UTF-16 ("Unicode text") or Windows-1252 ("CSV (Comma delimited)" in Excel on Windows);
// read as UTF-8 the first would show as "攀洀…" or NUL-riddled text, the second would turn
// "Zoë" into "Zo�". Neither is guessed and converted: the marketer is told which encoding was
// found and to save the file as UTF-8 (ADR 056). Pure, so it is unit-tested on bytes.

export type ForeignEncoding = { name: string; line: number };

/** Looks at the first piece of a file: a UTF-16 byte order mark, or UTF-16 text without one (every other byte NUL). */
export function utf16In(start: Uint8Array): ForeignEncoding | null {
  if (start[0] === 0xff && start[1] === 0xfe) return { name: "UTF-16 (little-endian, with a byte order mark)", line: 1 };
  if (start[0] === 0xfe && start[1] === 0xff) return { name: "UTF-16 (big-endian, with a byte order mark)", line: 1 };
  const sample = start.subarray(0, Math.min(start.length, 512) & ~1);
  if (sample.length < 4) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < sample.length; i += 2) {
    if (sample[i] === 0) evenNul++;
    if (sample[i + 1] === 0) oddNul++;
  }
  // CSV text is mostly ASCII: in UTF-16 one byte of nearly every pair is NUL, which UTF-8 text never holds.
  const pairs = sample.length / 2;
  if (oddNul > pairs * 0.6 && evenNul === 0) return { name: "UTF-16 (little-endian, without a byte order mark)", line: 1 };
  if (evenNul > pairs * 0.6 && oddNul === 0) return { name: "UTF-16 (big-endian, without a byte order mark)", line: 1 };
  return null;
}

/**
 * A UTF-8 checker fed a piece at a time (a file is read in pieces): the first byte sequence
 * that is not UTF-8 ends the check and names the encoding the bytes most likely are, with its line.
 */
export function utf8Checker() {
  let line = 1;
  let need = 0; // continuation bytes still expected
  let min = 0; // smallest code point the sequence may encode (no overlong forms)
  let codePoint = 0;
  let found: ForeignEncoding | null = null;
  const fail = () => {
    // Bytes that are not UTF-8 in a CSV from a spreadsheet are, in practice, Windows-1252 (Latin-1 plus € and curly quotes).
    found = { name: "Windows-1252 (Latin-1)", line };
  };
  return {
    push(bytes: Uint8Array): ForeignEncoding | null {
      for (let i = 0; i < bytes.length && !found; i++) {
        const b = bytes[i];
        if (need > 0) {
          if ((b & 0xc0) !== 0x80) {
            fail();
            break;
          }
          codePoint = (codePoint << 6) | (b & 0x3f);
          if (--need === 0 && (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff))) fail();
          continue;
        }
        if (b === 0x0a) line++;
        else if (b < 0x80) continue;
        else if (b >= 0xc2 && b <= 0xdf) [need, min, codePoint] = [1, 0x80, b & 0x1f];
        else if (b >= 0xe0 && b <= 0xef) [need, min, codePoint] = [2, 0x800, b & 0x0f];
        else if (b >= 0xf0 && b <= 0xf4) [need, min, codePoint] = [3, 0x10000, b & 0x07];
        else fail();
      }
      return found;
    },
    /** At the end of the file: a sequence cut short is not UTF-8 either. */
    end(): ForeignEncoding | null {
      if (!found && need > 0) fail();
      return found;
    },
  };
}

/** What the marketer reads: the encoding found, and how to save the file as UTF-8. */
export function saveAsUtf8Message(found: ForeignEncoding): string {
  const where = found.line > 1 ? ` (the first character that is not UTF-8 is on line ${found.line})` : "";
  return `This file is saved as ${found.name}${where}, not UTF-8. Save it as UTF-8 and import it again: in Excel, File › Save As › "CSV UTF-8 (Comma delimited)"; in Numbers or Google Sheets, export as CSV (always UTF-8); in LibreOffice, choose "Unicode (UTF-8)" as the character set.`;
}
