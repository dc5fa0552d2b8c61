import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import { composeMessage, describeFailure, MailDeliveryError, type MailTransport } from "./outgoing-mail.server.ts";

// The embedded transport: each message becomes one .eml file, byte for byte what SMTP would carry.

export class OutboxError extends Error {
  name = "OutboxError";
}

/** What the admin outbox list shows of one message, read from its headers only. */
export type OutboxEntry = {
  fileName: string;
  /** From the Date header; null if missing or unreadable. */
  date: Date | null;
  from: string;
  to: string;
  subject: string;
};

// Names this module writes; anything else (temp files, "../x") is never read.
const OUTBOX_FILE = /^[0-9A-Za-z][\w.-]*\.eml$/;

export function createOutboxTransport(outboxDir: string): MailTransport {
  const dir = path.resolve(outboxDir);
  // newline "windows": an .eml file is RFC 5322, CRLF line endings like on the wire.
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
  return {
    name: "outbox",
    async send(mail) {
      const options = composeMessage(mail);
      const { message } = await composer.sendMail(options);
      if (!Buffer.isBuffer(message)) throw new Error("nodemailer returned a stream although buffer: true was set");
      await writeAtomically(dir, nextFileName(), message);
      return { messageId: String(options.messageId) };
    },
    async verify() {
      await writeAtomically(dir, nextFileName(), Buffer.alloc(0), { keep: false });
    },
    async close() {
      composer.close();
    },
  };
}

let lastStamp = 0;

/** Sorts by time and is unique: the clock never repeats or goes back within a process, the random part covers other processes. */
function nextFileName(): string {
  lastStamp = Math.max(Date.now(), lastStamp + 1);
  const stamp = new Date(lastStamp).toISOString().replaceAll(":", "-");
  return `${stamp}-${crypto.randomBytes(6).toString("hex")}.eml`;
}

// Written under a dot-name and renamed, so a reader never sees half a message.
async function writeAtomically(dir: string, fileName: string, content: Buffer, options = { keep: true }): Promise<void> {
  const temp = path.join(dir, `.${fileName}.tmp`);
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(temp, content, { flag: "wx" });
    if (options.keep) await fs.rename(temp, path.join(dir, fileName));
  } catch (error) {
    throw new MailDeliveryError(`Could not write to the outbox ${dir}: ${describeFailure(error)}. Check OUTBOX_DIR.`, { cause: error });
  } finally {
    // Gone after a rename; unreachable if the directory itself is unusable, which the error above reports.
    await fs.rm(temp, { force: true }).catch(() => {});
  }
}

/** The outbox's messages, newest first. A missing outbox is an empty one. */
export async function listOutbox(outboxDir: string, options: { limit?: number } = {}): Promise<OutboxEntry[]> {
  let names: string[];
  try {
    names = await fs.readdir(outboxDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const newestFirst = names.filter((name) => OUTBOX_FILE.test(name)).sort().reverse().slice(0, options.limit);
  return Promise.all(newestFirst.map(async (fileName) => summarise(fileName, await readHead(path.join(outboxDir, fileName)))));
}

/** The raw message, or null if there is no such file. Refuses any name that is not an outbox file. */
export async function readOutboxMessage(outboxDir: string, fileName: string): Promise<string | null> {
  if (!OUTBOX_FILE.test(fileName)) throw new OutboxError(`"${fileName}" is not the name of an outbox message`);
  try {
    return await fs.readFile(path.join(outboxDir, fileName), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

// Headers are all a list needs; 64 KiB holds them even with a DKIM signature and long links.
async function readHead(file: string): Promise<string> {
  const handle = await fs.open(file);
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead).toString("latin1");
    const end = head.search(/\r?\n\r?\n/);
    return end === -1 ? head : head.slice(0, end);
  } finally {
    await handle.close();
  }
}

function summarise(fileName: string, head: string): OutboxEntry {
  const fields = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    if (colon > 0 && !fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
  }
  const field = (name: string) => decodeEncodedWords(fields.get(name) ?? "");
  const date = new Date(fields.get("date") ?? "");
  return { fileName, date: Number.isNaN(date.getTime()) ? null : date, from: field("from"), to: field("to"), subject: field("subject") };
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
// A run of adjacent encoded words: the whitespace between them is not part of the text (RFC 2047 §6.2).
const ENCODED_WORD_RUN = /=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=(?:\s+=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)*/g;

/** Decodes RFC 2047 words such as =?UTF-8?Q?H=C3=A9llo?=; bytes of a run are joined first, as a character may span words. */
function decodeEncodedWords(value: string): string {
  return value.replace(ENCODED_WORD_RUN, (run) => {
    const words = [...run.matchAll(ENCODED_WORD)];
    const bytes = Buffer.concat(
      words.map(([, , encoding, text]) =>
        encoding.toUpperCase() === "B"
          ? Buffer.from(text, "base64")
          : Buffer.from(text.replaceAll("_", " ").replace(/=([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))), "latin1"),
      ),
    );
    try {
      return new TextDecoder(words[0][1]).decode(bytes);
    } catch {
      return run; // an unknown charset: show the word as it is rather than fail the whole list
    }
  });
}
