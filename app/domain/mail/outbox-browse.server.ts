import fs from "node:fs/promises";
import path from "node:path";
import PostalMime, { type Address, type Email, type Mailbox } from "postal-mime";
import { recordAudit, staffActor } from "~/domain/audit/audit.server.ts";
import { db } from "~/utils/db.server.ts";
import type { Requester } from "~/utils/request.server.ts";
import type { OutboxEntry } from "./outbox.server.ts";
import { removePersonalLinks, removePersonalLinksFromHtml } from "./personal-links.server.ts";
import { OUTBOX_MESSAGE_NAME } from "./outbox-names.ts";

// Reading the outbox for /admin/outbox. The outbox may hold 200,000 files after a benchmark, so
// a page view lists names (they sort by time), reads the headers of only the files it looks at,
// and parses a whole message only when one is opened. What a message shows staff has its
// recipient's personal links removed; only admins download the file itself, and that is audited.

export const OUTBOX_PAGE_SIZE = 50;
/** Headers one filtered page view may read before it stops and offers to search further back. */
export const OUTBOX_SCAN_LIMIT = 2000;

/**
 * Whose mail a person may read. Admins: every message. Marketers: the promotional mail of their
 * units (From is a unit's fromEmail and the message has List-Unsubscribe, which only promotional
 * mail carries). Service mail is left out even from the unit's service address: it carries
 * sign-in and password-reset links, for any account — an admin's too.
 */
export type OutboxReader = { everything: true } | { everything: false; fromAddresses: ReadonlySet<string> };

/** The staff member reading the outbox: who they are (for the audit log) and the units they may see (null: every unit). */
export type OutboxStaff = { id: number; email: string; unitIds: number[] | null };

export async function outboxReaderFor(staff: OutboxStaff): Promise<OutboxReader> {
  if (staff.unitIds === null) return { everything: true };
  const units = await db.businessUnit.findMany({ where: { id: { in: staff.unitIds } }, select: { fromEmail: true } });
  return { everything: false, fromAddresses: new Set(units.map((u) => u.fromEmail.toLowerCase())) };
}

type Summary = { entry: OutboxEntry; fromAddress: string; toAddresses: string[]; promotional: boolean };

function mayRead(reader: OutboxReader, summary: Summary): boolean {
  return reader.everything || (summary.promotional && reader.fromAddresses.has(summary.fromAddress));
}

/** The file of a message, or null when the name is not one the transport writes (no "../", no other files). */
function messageFile(outboxDir: string, fileName: string): string | null {
  if (!OUTBOX_MESSAGE_NAME.test(fileName)) return null;
  const root = path.resolve(outboxDir);
  const file = path.resolve(root, fileName);
  return path.dirname(file) === root ? file : null;
}

// --- Listing -----------------------------------------------------------------------------------

let listing: { dir: string; mtimeMs: number; names: string[] } | null = null;

/**
 * Message names, oldest first. The sorted list is kept while the directory is unchanged; it is
 * kept only once the directory has been still for a second, as a directory's mtime has coarse
 * ticks and a file written in the same tick would otherwise be missed.
 */
async function sortedNames(outboxDir: string): Promise<string[]> {
  const dir = path.resolve(outboxDir);
  let mtimeMs: number;
  try {
    mtimeMs = (await fs.stat(dir)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  if (listing && listing.dir === dir && listing.mtimeMs === mtimeMs) return listing.names;
  const names = (await fs.readdir(dir)).filter((name) => OUTBOX_MESSAGE_NAME.test(name)).sort();
  listing = Date.now() - mtimeMs > 1000 ? { dir, mtimeMs, names } : null;
  return names;
}

/** Index of the first name that is not below `name` (strict: false) or above it (strict: true); names are sorted. */
function searchSorted(names: string[], name: string, strict: boolean): number {
  let low = 0;
  let high = names.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (names[mid] < name || (strict && names[mid] === name)) low = mid + 1;
    else high = mid;
  }
  return low;
}

export type OutboxPageRequest = {
  /** Show messages older than this file (the "Older" link). */
  before?: string;
  /** Show messages newer than this file (the "Newer" link). */
  after?: string;
  /** Only messages to an address containing this text. */
  recipient?: string;
};

export type OutboxPage = {
  entries: OutboxEntry[];
  /** Cursor for the next older page (`before`), null when nothing older is left to look at. */
  older: string | null;
  /** Cursor for the next newer page (`after`), null when nothing newer is left to look at. */
  newer: string | null;
  /**
   * Set when a filtered view read OUTBOX_SCAN_LIMIT messages' headers without filling the page:
   * the time of the last one it read. Older / Newer carry on from there.
   */
  searchedUpTo: Date | null;
  /** Messages in the outbox; only for admins (a marketer's count would include other units' mail). */
  total: number | null;
};

/** One page of the outbox, newest first, as this reader may see it. */
export async function browseOutbox(outboxDir: string, reader: OutboxReader, request: OutboxPageRequest = {}): Promise<OutboxPage> {
  const names = await sortedNames(outboxDir);
  const recipient = request.recipient?.trim().toLowerCase() || null;
  const filtering = !reader.everything || recipient !== null;
  const accept = (s: Summary) => mayRead(reader, s) && (!recipient || s.toAddresses.some((a) => a.includes(recipient)));
  // Walk away from the cursor: towards older names by default, towards newer ones for "Newer".
  const towardsNewer = request.after !== undefined && request.before === undefined;
  const step = towardsNewer ? 1 : -1;
  const start = towardsNewer
    ? searchSorted(names, request.after!, true)
    : request.before !== undefined
      ? searchSorted(names, request.before, false) - 1
      : names.length - 1;
  const { found, next, scanned } = await scan(outboxDir, names, start, step, filtering ? accept : null);

  const lookedAtAll = next < 0 || next >= names.length;
  const lastLookedAt = scanned > 0 ? names[next - step] : null;
  // The page's own edge on the side it came from: the other direction carries on from there.
  const backFrom = start >= 0 && start < names.length ? names[start] : null;
  const older = towardsNewer ? (start > 0 ? backFrom : null) : lookedAtAll ? null : lastLookedAt;
  const newer = towardsNewer ? (lookedAtAll ? null : lastLookedAt) : start + 1 < names.length ? backFrom : null;
  const entries = (towardsNewer ? [...found].reverse() : found).map((s) => s.entry);
  return {
    entries,
    older,
    newer,
    searchedUpTo: filtering && !lookedAtAll && found.length < OUTBOX_PAGE_SIZE && lastLookedAt ? dateOfName(lastLookedAt) : null,
    total: reader.everything ? names.length : null,
  };
}

/** The time in a message's file name (when the transport wrote it). */
function dateOfName(fileName: string): Date {
  const [, day, hours, minutes, seconds] = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2}\.\d{3})Z/.exec(fileName)!;
  return new Date(`${day}T${hours}:${minutes}:${seconds}Z`);
}

const HEADS_AT_ONCE = 32;

/**
 * Reads headers from `start` in steps of `step` until a page is found, the names run out, or the
 * scan limit is reached. Without a filter only the page's own files are read.
 */
async function scan(
  outboxDir: string,
  names: string[],
  start: number,
  step: 1 | -1,
  accept: ((s: Summary) => boolean) | null,
): Promise<{ found: Summary[]; next: number; scanned: number }> {
  const found: Summary[] = [];
  let index = start;
  let scanned = 0;
  while (index >= 0 && index < names.length && found.length < OUTBOX_PAGE_SIZE && scanned < OUTBOX_SCAN_LIMIT) {
    const want = accept ? Math.min(HEADS_AT_ONCE, OUTBOX_SCAN_LIMIT - scanned) : OUTBOX_PAGE_SIZE - found.length;
    const chunk: string[] = [];
    for (let i = index; chunk.length < want && i >= 0 && i < names.length; i += step) chunk.push(names[i]);
    const summaries = await Promise.all(chunk.map((name) => summariseFile(outboxDir, name)));
    for (const summary of summaries) {
      index += step;
      scanned += 1;
      if (summary && (!accept || accept(summary))) found.push(summary);
      if (found.length === OUTBOX_PAGE_SIZE) break;
    }
  }
  return { found, next: index, scanned };
}

// Headers only. 16 KiB holds them even with a DKIM signature and long links; more is read if not.
async function readHeaderBlock(file: string): Promise<Buffer | null> {
  let handle;
  try {
    handle = await fs.open(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null; // removed since it was listed
    throw error;
  }
  try {
    for (const size of [16 * 1024, 1024 * 1024]) {
      const buffer = Buffer.allocUnsafe(size);
      const { bytesRead } = await handle.read(buffer, 0, size, 0);
      const head = buffer.subarray(0, bytesRead);
      const end = head.indexOf("\r\n\r\n") !== -1 ? head.indexOf("\r\n\r\n") : head.indexOf("\n\n");
      if (end !== -1) return head.subarray(0, end);
      if (bytesRead < size) return head;
    }
    return null; // a megabyte of headers is not a message this transport wrote
  } finally {
    await handle.close();
  }
}

async function summariseFile(outboxDir: string, fileName: string): Promise<Summary | null> {
  const head = await readHeaderBlock(path.join(outboxDir, fileName));
  if (!head) return null;
  return summarise(fileName, await PostalMime.parse(Buffer.concat([head, Buffer.from("\r\n\r\n")])));
}

function summarise(fileName: string, email: Email): Summary {
  const to = mailboxes(email.to);
  const from = email.from && !email.from.group ? email.from : null;
  const date = email.date ? new Date(email.date) : null;
  return {
    entry: {
      fileName,
      date: date && !Number.isNaN(date.getTime()) ? date : null,
      from: from ? formatMailbox(from) : "",
      to: to.map(formatMailbox).join(", "),
      subject: email.subject ?? "",
    },
    fromAddress: from?.address.toLowerCase() ?? "",
    toAddresses: to.map((m) => m.address.toLowerCase()),
    promotional: email.headers.some((h) => h.key === "list-unsubscribe"),
  };
}

function mailboxes(addresses: Address[] | undefined): Mailbox[] {
  return (addresses ?? []).flatMap((a) => (a.group ? a.group : [a]));
}

const formatMailbox = (m: Mailbox) => (m.name ? `${m.name} <${m.address}>` : m.address);

// --- One message -------------------------------------------------------------------------------

export type OutboxMessage = {
  entry: OutboxEntry;
  /** Every header field in order, as written (unfolded), personal links removed: List-Unsubscribe, DKIM-Signature … */
  headers: { name: string; value: string }[];
  text: string | null;
  hasHtml: boolean;
  attachments: { fileName: string | null; mimeType: string }[];
};

/** The raw message, if the name is an outbox file, it exists, and this reader may see it. Staff get it only through downloadOutboxMessage. */
export async function readOutboxSource(outboxDir: string, reader: OutboxReader, fileName: string): Promise<Buffer | null> {
  const file = messageFile(outboxDir, fileName);
  if (!file) return null;
  let source: Buffer;
  try {
    // lstat: a symlink someone placed in the outbox is not followed out of it.
    if (!(await fs.lstat(file)).isFile()) return null;
    source = await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  if (reader.everything) return source;
  const head = await PostalMime.parse(headerBlockOf(source));
  return mayRead(reader, summarise(fileName, head)) ? source : null;
}

function headerBlockOf(source: Buffer): Buffer {
  const end = source.indexOf("\r\n\r\n");
  return end === -1 ? source : source.subarray(0, end + 4);
}

/** One message parsed for its page, or null (not an outbox name, no such file, not this reader's). */
export async function openOutboxMessage(outboxDir: string, reader: OutboxReader, fileName: string): Promise<OutboxMessage | null> {
  const source = await readOutboxSource(outboxDir, reader, fileName);
  if (!source) return null;
  const email = await PostalMime.parse(source, { attachmentEncoding: "arraybuffer" });
  return {
    entry: summarise(fileName, email).entry,
    headers: email.headers.map((h) => ({ name: h.originalKey, value: removePersonalLinks(h.value) })),
    text: email.text ? removePersonalLinks(email.text) : null,
    hasHtml: Boolean(email.html?.trim()),
    attachments: email.attachments.map((a) => ({ fileName: a.filename, mimeType: a.mimeType })),
  };
}

/**
 * The HTML part, ready for the sandboxed frame: personal links removed, and a <base
 * target="_blank"> first in <head>, so the links left open in a new tab instead of inside the frame.
 */
export async function readOutboxHtml(outboxDir: string, reader: OutboxReader, fileName: string): Promise<string | null> {
  const source = await readOutboxSource(outboxDir, reader, fileName);
  if (!source) return null;
  const html = (await PostalMime.parse(source)).html;
  return html?.trim() ? withLinksInNewTab(removePersonalLinksFromHtml(html)) : null;
}

export type OutboxDownload = { outcome: "file"; source: Buffer } | { outcome: "not-found" } | { outcome: "admins-only" };

/**
 * The .eml file byte for byte, for admins, with an audit entry: it holds the recipient's working
 * links, and they cannot be removed without changing the file (quoted-printable splits them
 * across lines, base64 hides them). Marketers read the message on its page instead.
 */
export async function downloadOutboxMessage(outboxDir: string, staff: OutboxStaff, fileName: string, requester: Requester): Promise<OutboxDownload> {
  const reader = await outboxReaderFor(staff);
  const source = await readOutboxSource(outboxDir, reader, fileName);
  if (!source) return { outcome: "not-found" };
  if (!reader.everything) return { outcome: "admins-only" };
  const { toAddresses } = summarise(fileName, await PostalMime.parse(headerBlockOf(source)));
  await recordAudit(db, staffActor(staff, requester), { action: "outbox.download", target: `outbox:${fileName}`, detail: { to: toAddresses.join(", ") } });
  return { outcome: "file", source };
}

export function withLinksInNewTab(html: string): string {
  const base = '<base target="_blank">';
  for (const opening of [/<head(?:\s[^>]*)?>/i, /<html(?:\s[^>]*)?>/i, /<!doctype[^>]*>/i]) {
    const match = opening.exec(html);
    if (match) return html.slice(0, match.index + match[0].length) + base + html.slice(match.index + match[0].length);
  }
  return base + html;
}
