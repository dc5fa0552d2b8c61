import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import { composeMessage, describeFailure, MailDeliveryError, type MailTransport } from "./outgoing-mail.server.ts";

// The embedded transport: each message becomes one .eml file, byte for byte what SMTP would carry,
// with the Return-Path line the final server writes first (the envelope sender, RFC 5321 4.4).

/** What the admin outbox list shows of one message, read from its headers only (outbox-browse.server.ts reads them). */
export type OutboxEntry = {
  fileName: string;
  /** From the Date header; null if missing or unreadable. */
  date: Date | null;
  from: string;
  to: string;
  subject: string;
};

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
      // composeMessage always sets the envelope, and checked its sender is one plain address.
      const returnPath = Buffer.from(`Return-Path: <${String(options.envelope!.from)}>\r\n`, "utf8");
      await writeAtomically(dir, nextFileName(), Buffer.concat([returnPath, message]));
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
