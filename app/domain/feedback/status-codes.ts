/**
 * What a failed delivery means for the address: the enhanced status code (RFC 3463) first, the
 * reply text where it is explicit, the basic SMTP reply code last. See docs/decisions/025.
 */

export type BounceKind = "HARD_BOUNCE" | "SOFT_BOUNCE" | "POLICY_BOUNCE";

export type EnhancedStatus = { klass: 2 | 4 | 5; subject: number; detail: number };

/** Three numbers, the first 2, 4 or 5; never part of an IP address or a version such as 15.20.8207.17. */
const ENHANCED_CODE = /(?<!\d|\d\.)([245])\.(\d{1,3})\.(\d{1,3})(?!\d|\.\d)/;
/** A basic reply code at the start of a reply ("550 ", "550-", Yahoo's "554:"), possibly after "smtp;". */
const BASIC_CODE = /(?:^|[\s;:(])([245][0-5]\d)(?=[ \t:-]|$)/m;

// The reply says the mailbox is full: temporary whatever the code (552 5.2.2, "over quota").
const MAILBOX_FULL =
  /mailbox (?:is )?full|over ?quota|quota exceed|exceed(?:s|ed)? (?:the |its )?(?:storage|quota)|insufficient (?:system )?storage|mailbox size limit|storage (?:is )?full|out of storage/;

// The reply says the recipient's address does not exist or is closed.
const RECIPIENT_GONE =
  /user unknown|unknown user|unknown recipient|recipient unknown|addressee unknown|no such (?:user|recipient|mailbox|address|account)|no mailbox here|mailbox not found|mailbox unavailable|mailbox not available|address not found|recipient not found|user not found|not found by smtp address lookup|invalid (?:recipient|mailbox)|(?:doesn't|does not) have an? [\w.-]+ account|\b(?:account|mailbox|user|recipient|address)\b[^.;]{0,60}\b(?:does not exist|doesn't exist|disabled|deactivated|no longer (?:exists|active|in use))/;

// The reply is about us (our sender address, our account, our IP), not the recipient.
const ABOUT_THE_SENDER = /\bsender\b|\bsending (?:account|address|domain|ip|server|host)\b|\byour (?:account|ip|domain|server)\b/;

// Only consulted when the code decides nothing (x.0.0, none): the receiver refused us, not the address.
const REFUSED_THE_SENDER =
  /spam|blocked|block ?list|black ?list|\brbl\b|dnsbl|reputation|dmarc|\bspf\b|dkim|policy|unsolicited|content rejected|not accepted/;

export function parseEnhancedStatus(text: string | undefined): EnhancedStatus | undefined {
  const match = text ? ENHANCED_CODE.exec(text) : null;
  if (!match) return undefined;
  return { klass: Number(match[1]) as 2 | 4 | 5, subject: Number(match[2]), detail: Number(match[3]) };
}

export function parseBasicCode(text: string | undefined): number | undefined {
  const match = text ? BASIC_CODE.exec(text) : null;
  return match ? Number(match[1]) : undefined;
}

export function formatStatus(status: EnhancedStatus): string {
  return `${status.klass}.${status.subject}.${status.detail}`;
}

/**
 * The code that says most: the Status field, unless it is only "x.0.0" and the reply carries a
 * more specific code of the same class (Exim reports 5.0.0 around a remote "550 5.1.1").
 */
export function mostSpecificStatus(status: string | undefined, diagnostic: string | undefined): EnhancedStatus | undefined {
  const fromStatus = parseEnhancedStatus(status);
  const fromDiagnostic = parseEnhancedStatus(diagnostic);
  if (!fromStatus) return fromDiagnostic;
  if (fromStatus.subject === 0 && fromStatus.detail === 0 && fromDiagnostic && fromDiagnostic.klass === fromStatus.klass) {
    return fromDiagnostic;
  }
  return fromStatus;
}

/** What the code alone says, or undefined when it leaves the question open (x.0.0, an unknown subject). */
function kindOfPermanentCode({ subject, detail }: EnhancedStatus, text: string): BounceKind | undefined {
  switch (subject) {
    case 1: // addressing
      if (detail === 7 || detail === 8) return "POLICY_BOUNCE"; // our own sender address is bad
      if (detail === 9) return "SOFT_BOUNCE";
      if (detail === 0 && ABOUT_THE_SENDER.test(text)) return "POLICY_BOUNCE";
      return "HARD_BOUNCE"; // 5.1.1 bad mailbox, 5.1.2 bad domain, 5.1.3 bad syntax, 5.1.6 moved, 5.1.10 null MX
    case 2: // mailbox
      if (detail === 1) return "HARD_BOUNCE"; // mailbox disabled
      return "SOFT_BOUNCE"; // 5.2.2 full, 5.2.3 too big, 5.2.0/5.2.4 other
    case 3: // the receiving mail system
      return "SOFT_BOUNCE"; // 5.3.1 system full, 5.3.4 message too big, ...
    case 4: // network and routing
      if (detail === 4) return "HARD_BOUNCE"; // unable to route: the recipient's domain has no mail host
      if (detail === 1 && /recipient address rejected|access denied/.test(text)) return "HARD_BOUNCE"; // Microsoft 365 directory-based blocking
      return "SOFT_BOUNCE"; // 5.4.1 no answer, 5.4.7 expired, ...
    case 5: // protocol
    case 6: // content and media
      return "POLICY_BOUNCE";
    case 7: // security and policy
      if (detail === 13 || detail === 17 || detail === 18) return "HARD_BOUNCE"; // account disabled, mailbox or domain owner changed
      return "POLICY_BOUNCE"; // 5.7.1 refused, 5.7.26 DMARC, ...
    default:
      return undefined;
  }
}

/**
 * Which bounce a failed or delayed delivery is. HARD: the address is gone. SOFT: it may work later
 * (repeated ones suppress). POLICY: the receiver refused us, not the address.
 */
export function classifyStatus(status: string | undefined, diagnostic: string | undefined, action?: string): BounceKind {
  if (action?.trim().toLowerCase() === "delayed") return "SOFT_BOUNCE";
  const text = (diagnostic ?? "").slice(0, 4000).toLowerCase().replace(/\s+/g, " ");
  const code = mostSpecificStatus(status, diagnostic);
  const basic = parseBasicCode(diagnostic);

  // Given up on after 4.7.x deferrals: the receiver kept refusing us, not the address.
  if (code?.klass === 4 && code.subject === 7) return "POLICY_BOUNCE";
  // Any other temporary failure is soft whatever its text says.
  if (code ? code.klass !== 5 : basic !== undefined && basic < 500) return "SOFT_BOUNCE";

  if (MAILBOX_FULL.test(text)) return "SOFT_BOUNCE";
  const aboutTheSender = ABOUT_THE_SENDER.test(text);
  if (RECIPIENT_GONE.test(text) && !aboutTheSender) return "HARD_BOUNCE";

  const byCode = code ? kindOfPermanentCode(code, text) : undefined;
  if (byCode) return byCode;

  if (aboutTheSender || REFUSED_THE_SENDER.test(text)) return "POLICY_BOUNCE";
  if (basic === 551 || basic === 553) return "HARD_BOUNCE"; // user not local, mailbox name not allowed
  // An unexplained permanent failure (550 and nothing else) is counted as soft: repeated ones suppress.
  return "SOFT_BOUNCE";
}
