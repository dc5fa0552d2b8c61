/**
 * Bounces written for people rather than machines (qmail, Exim and sendmail without DSN, old
 * Postfix), and the auto-replies that must never be taken for one. Best effort by design.
 */
import { type Fields, addressIn, field, oneLine } from "./reports-fields.ts";
import { type BounceKind, classifyStatus, parseBasicCode, parseEnhancedStatus } from "./status-codes.ts";

// Only the start of the text can hold the failure; a hostile body is not scanned past this.
const MAX_SCANNED_TEXT = 64 * 1024;

// Exchange on premises sends its reports from MicrosoftExchange<32 hex>@ the domain.
const DAEMON_ADDRESS = /^(?:mailer-daemon|mail-daemon|maildaemon|postmaster|mdaemon|microsoftexchange[0-9a-f]{32})@/i;
const DAEMON_NAME = /mail delivery|mailer-daemon|postmaster/i;
const BOUNCE_SUBJECT =
  /undeliver|delivery status notification|delivery (?:has )?failed|delivery failure|failure notice|returned mail|returning message to sender|mail delivery failed|non-?deliver|could not be delivered|unzustellbar|non remis|delayed mail|delivery delay|still being retried/i;
const BOUNCE_BODY =
  /qmail-send program|created automatically by mail delivery software|this is the mail system at host|could not be delivered to one or more recipients|following addresses had permanent fatal errors|delivery to the following recipients? failed|delivery has failed to these recipients/i;
// At the start only: our own subjects may say "vacation" anywhere, and replies quote them.
const OUT_OF_OFFICE_SUBJECT =
  /^\W*(?:auto(?:matic)?[ -]?(?:reply|response|antwort)|auto:|autosvar|automatisk svar|réponse automatique|abwesenheitsnotiz|out of (?:the )?office|ooo\b|vacation reply|away from (?:the office|my desk))/i;
const FAILURE_WORDS =
  /permanent error|permanent fatal|unable to deliver|could not be delivered|couldn't be delivered|wasn't delivered|was not delivered|undeliverable|delivery (?:has )?failed|failed permanently|address(?:\(es\))? failed/i;
const DELAY_WORDS = /this is a warning only|still being retried|will be retried|delivery (?:is )?delayed|delayed mail|has not yet been delivered|message still undelivered|delivery delay/i;
// Where the returned copy of the message starts: qmail, Exim, sendmail, Postfix without DSN.
const COPY_MARKER = /copy of the message|original message|message follows|undelivered message|returned message/i;
const MAX_MARKER_LINE = 200;

export type PlainTextReading =
  | { kind: BounceKind; recipient?: string; status?: string; diagnostic?: string }
  | { kind: "IGNORED"; why: string };

export type Letter = { headers: Fields; from?: string; fromName?: string; subject?: string; text: string };

export function isFromMailSystem(letter: Letter): boolean {
  return DAEMON_ADDRESS.test(letter.from ?? "") || DAEMON_NAME.test(letter.fromName ?? "");
}

/** The reason an auto-reply is one, or undefined; RFC 3834 and the headers mail clients set. */
export function autoReplyMarker(letter: Letter, strongOnly: boolean): string | undefined {
  const headers = letter.headers;
  if (headers.has("x-autoreply") || headers.has("x-autorespond") || headers.has("x-autoresponder")) return "an X-Autoreply header";
  if (/auto[_-]?reply/i.test(field(headers, "precedence") ?? "")) return "Precedence: auto_reply";
  if (OUT_OF_OFFICE_SUBJECT.test(letter.subject ?? "") && !BOUNCE_SUBJECT.test(letter.subject ?? "")) return "an out-of-office subject";
  if (strongOnly) return undefined;
  const autoSubmitted = field(headers, "auto-submitted")?.toLowerCase();
  if (autoSubmitted && !autoSubmitted.startsWith("no")) return `Auto-Submitted: ${autoSubmitted}`;
  return undefined;
}

export function looksLikeBounce(letter: Letter): boolean {
  return isFromMailSystem(letter) || BOUNCE_SUBJECT.test(letter.subject ?? "") || BOUNCE_BODY.test(letter.text.slice(0, 4096));
}

/** The text before the returned copy, and the copy itself (headers first), if there is one. */
export function splitAtReturnedCopy(text: string): { report: string; copy?: string } {
  const scanned = text.slice(0, MAX_SCANNED_TEXT);
  // Line by line: one pattern over the whole text backtracked for seconds on a long line of dashes.
  for (let start = 0; start < scanned.length; ) {
    const newline = scanned.indexOf("\n", start);
    const end = newline === -1 ? scanned.length : newline;
    const line = scanned.slice(start, Math.min(end, start + MAX_MARKER_LINE));
    if (/^[ \t]*--/.test(line) && COPY_MARKER.test(line)) {
      const copy = text.slice(end + 1).replace(/^(?:[ \t]*\r?\n)+/, "");
      return { report: scanned.slice(0, start), copy };
    }
    start = end + 1;
  }
  return { report: scanned };
}

/** Lines with their indented continuations joined, as MTAs wrap long replies. */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") {
      lines.push("");
    } else if (/^[ \t]/.test(line) && lines.length && lines[lines.length - 1] !== "") {
      lines[lines.length - 1] = `${lines[lines.length - 1]} ${line.trim()}`;
    } else {
      lines.push(line.trim());
    }
  }
  return lines.filter((line) => line !== "");
}

/** The first SMTP failure reply in the text, from its code to the end of its line. */
function findFailureReply(report: string): string | undefined {
  const lines = logicalLines(report);
  for (const line of lines) {
    const match = /(?:^|[\s;:(])([45][0-5]\d)(?=[ \t:-])/.exec(line);
    if (match) {
      const reply = line.slice(match.index).replace(/^[\s;:(]/, "");
      // sendmail writes "(reason: 550 5.1.1 ... User unknown)"
      return line[match.index] === "(" || /\(reason:\s*$/i.test(line.slice(0, match.index + 1)) ? reply.replace(/\)\s*$/, "") : reply;
    }
  }
  for (const line of lines) {
    const status = parseEnhancedStatus(line);
    if (status && status.klass !== 2) return line;
  }
  return undefined;
}

// Local parts are at most 64 characters and domains 255 (RFC 5321): bounded, each try is short.
function findFailedRecipient(letter: Letter, report: string): string | undefined {
  const failedHeader = addressIn(field(letter.headers, "x-failed-recipients"));
  if (failedHeader) return failedHeader;
  const atLineStart = /^[ \t]*<([^<>\s@]{1,64}@[^<>\s]{1,255})>/m.exec(report);
  if (atLineStart) return atLineStart[1];
  const afterFailed = /address(?:\(es\))? failed:\s*([^\s<>@]{1,64}@[^\s<>]{1,255})/i.exec(report);
  if (afterFailed) return afterFailed[1];
  const named = /(?:delivered to|message to|recipient:?)\s*<?([^\s<>"@]{1,64}@[^\s<>"]{1,255}?)>?[\s.,;]/i.exec(report);
  return named ? named[1] : undefined;
}

export function readPlainTextBounce(letter: Letter, report: string): PlainTextReading {
  const reply = oneLine(findFailureReply(report));
  const delayed = DELAY_WORDS.test(report) || DELAY_WORDS.test(letter.subject ?? "");
  const failed = FAILURE_WORDS.test(report) || FAILURE_WORDS.test(letter.subject ?? "");
  if (!reply && !delayed && !failed) {
    return { kind: "IGNORED", why: "a notice from a mail system that names no failed delivery" };
  }
  const enhanced = parseEnhancedStatus(reply);
  const status = enhanced ? `${enhanced.klass}.${enhanced.subject}.${enhanced.detail}` : undefined;
  const basic = parseBasicCode(reply);
  const action = delayed && !(enhanced?.klass === 5 || (basic !== undefined && basic >= 500)) ? "delayed" : "failed";
  return {
    kind: classifyStatus(status, reply ?? report.slice(0, 4000), action),
    recipient: findFailedRecipient(letter, report),
    status,
    diagnostic: reply,
  };
}
