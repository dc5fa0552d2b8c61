/**
 * Header-style fields as reports carry them: a message's header block, the blocks of a
 * message/delivery-status part (RFC 3464), a message/feedback-report part (RFC 5965).
 */

/** Lower-cased field name → its values in order, each unfolded onto one line. */
export type Fields = Map<string, string[]>;

// Field blocks are short; a hostile part cannot make the reader walk megabytes of them.
const MAX_FIELD_TEXT = 64 * 1024;
const MAX_BLOCKS = 100;
const FIELD_LINE = /^([!-9;-~]+)[ \t]*:(.*)$/;

function readBlock(lines: string[]): Fields {
  const fields: Fields = new Map();
  let last: string[] | undefined;
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      // A folded line continues the field before it.
      if (last) last[last.length - 1] = `${last[last.length - 1]} ${line.trim()}`.trim();
      continue;
    }
    const match = FIELD_LINE.exec(line);
    if (!match) {
      last = undefined;
      continue;
    }
    const name = match[1].toLowerCase();
    const values = fields.get(name) ?? [];
    values.push(match[2].trim());
    fields.set(name, values);
    last = values;
  }
  return fields;
}

/** Every blank-line separated block of fields; empty blocks are skipped. */
export function readFieldBlocks(text: string): Fields[] {
  const blocks: Fields[] = [];
  let lines: string[] = [];
  for (const line of text.slice(0, MAX_FIELD_TEXT).split(/\r\n|\n|\r/)) {
    if (line.trim() === "") {
      if (lines.length) blocks.push(readBlock(lines));
      lines = [];
      if (blocks.length >= MAX_BLOCKS) return blocks;
      continue;
    }
    lines.push(line);
  }
  if (lines.length) blocks.push(readBlock(lines));
  return blocks.filter((block) => block.size > 0);
}

/** The header block at the start of a message or of a text/rfc822-headers part. */
export function readHeaderBlock(text: string, maxLength = MAX_FIELD_TEXT): Fields {
  const lines: string[] = [];
  for (const line of text.slice(0, maxLength).split(/\r\n|\n|\r/)) {
    if (line.trim() === "") break;
    lines.push(line);
  }
  return readBlock(lines);
}

export function field(fields: Fields | undefined, name: string): string | undefined {
  const value = fields?.get(name)?.[0];
  return value === undefined || value === "" ? undefined : value;
}

// An address or Message-ID is far shorter; the patterns below backtrack over a long run of letters.
const MAX_ADDRESS_FIELD = 1000;

/** The address in "Name <a@b>", "<a@b>", "rfc822; a@b" or "a@b"; undefined for "<>". */
export function addressIn(field: string | undefined): string | undefined {
  if (!field) return undefined;
  const value = field.slice(0, MAX_ADDRESS_FIELD);
  const bracketed = /<([^<>\s"@]+@[^<>\s"]+)>/.exec(value);
  if (bracketed) return bracketed[1];
  const bare = /([^\s<>"',;:()[\]@]+@[^\s<>"',;:()[\]]+)/.exec(value);
  return bare ? bare[1].replace(/\.$/, "") : undefined;
}

/** A Message-ID as "<left@right>", whether or not the header wrote the brackets. */
export function messageIdIn(field: string | undefined): string | undefined {
  if (!field) return undefined;
  const value = field.slice(0, MAX_ADDRESS_FIELD);
  const bracketed = /<([^<>\s]+)>/.exec(value);
  if (bracketed) return `<${bracketed[1]}>`;
  const bare = value.trim().split(/\s+/)[0];
  return bare && bare.includes("@") ? `<${bare}>` : undefined;
}

/** A field's value on one line, cut to a length an admin can read. */
export function oneLine(value: string | undefined, max = 500): string | undefined {
  if (!value) return undefined;
  const line = value.replace(/\s+/g, " ").trim();
  return line === "" ? undefined : line.slice(0, max);
}
