import { domainToASCII } from "node:url";

// Which links a unit may put in the data of a message sent from our domain: links to our own
// site and to the unit's own domains, nothing else. Every string in the data is read for links,
// not only the fields a template shows as buttons: mail apps turn text that looks like a link
// into one.

/** Where a unit's links may point: hosts matched exactly, and domains matched with their subdomains. */
export type LinkHosts = { hosts: string[]; domains: string[] };

export type ForeignLink = { field: string; message: string };

/**
 * Any "scheme://…" run of characters, wherever it sits in a text, and "http:" or "https:"
 * followed by anything: browsers read "https:/host" and "https:\\host" as "https://host".
 */
const WITH_AUTHORITY = /(?<![a-z0-9+.-])(?:[a-z][a-z0-9+.-]*:\/\/|https?:(?=\S))[^\s<>"'`]*/gi;
/** "www.something": mail apps link it without a scheme. */
const BARE_WWW = /(?<![\w.@-])www\.[^\s<>"'`]+/gi;
/**
 * Schemes other than http(s) that browsers or mail apps act on without "//": script and
 * embedded content, files, mail, calls, app stores. "tel:+1…" counts; "tel: 555" is text.
 */
const OTHER_SCHEME =
  /(?<![a-z0-9+.-])(?:javascript|vbscript|data|file|blob|mailto|tel|sms|callto|facetime|skype|intent|market|itms[a-z-]*|webcal|feed|magnet|news|nntp|geo)\s*:(?=\S)/gi;
/** Closing punctuation of a sentence, not part of the link it follows. */
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;

export function normalizeHost(host: string): string {
  const ascii = domainToASCII(host.trim().toLowerCase().replace(/\.$/, ""));
  return ascii || host.trim().toLowerCase();
}

/** The host of a URL as configured (PUBLIC_URL, a unit's contact URL); null when it has none. */
export function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return normalizeHost(new URL(url).hostname);
  } catch {
    return null;
  }
}

/** The first string in `data` that holds a link to somewhere else, with the field path that holds it. */
export function findForeignLink(data: unknown, allowed: LinkHosts, path: string[] = ["data"]): ForeignLink | null {
  if (typeof data === "string") {
    const problem = linkProblem(data, allowed);
    return problem ? { field: path.join("."), message: `${path.join(".")}: ${problem}` } : null;
  }
  if (Array.isArray(data)) {
    for (const [index, value] of data.entries()) {
      const found = findForeignLink(value, allowed, [...path, String(index)]);
      if (found) return found;
    }
    return null;
  }
  if (data !== null && typeof data === "object") {
    for (const [key, value] of Object.entries(data)) {
      const found = findForeignLink(key, allowed, [...path, key]) ?? findForeignLink(value, allowed, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

function linkProblem(text: string, allowed: LinkHosts): string | null {
  const other = text.match(OTHER_SCHEME);
  if (other) return `must not hold a ${other[0].replace(/\s/g, "").toLowerCase()} link; only http(s) links to ${describe(allowed)} are allowed`;
  const candidates = [
    ...[...text.matchAll(WITH_AUTHORITY)].map((m) => m[0]),
    ...[...text.matchAll(BARE_WWW)].map((m) => `http://${m[0]}`),
  ];
  for (const candidate of candidates) {
    const problem = checkLink(candidate.replace(TRAILING_PUNCTUATION, ""), allowed);
    if (problem) return problem;
  }
  return null;
}

function checkLink(link: string, allowed: LinkHosts): string | null {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return `holds "${link.slice(0, 80)}", which is not a link that can be checked; only http(s) links to ${describe(allowed)} are allowed`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `must not hold a ${url.protocol} link; only http(s) links to ${describe(allowed)} are allowed`;
  }
  if (url.username || url.password) return "must not hold a link with a user name or password before its host";
  const host = normalizeHost(url.hostname);
  if (!isAllowedHost(host, allowed)) return `links to ${host}, which is neither our site nor one of the unit's domains (${describe(allowed)})`;
  return null;
}

export function isAllowedHost(host: string, allowed: LinkHosts): boolean {
  return allowed.hosts.includes(host) || allowed.domains.some((domain) => host === domain || host.endsWith(`.${domain}`));
}

function describe(allowed: LinkHosts): string {
  return [...new Set([...allowed.hosts, ...allowed.domains.map((d) => `${d} and its subdomains`)])].join(", ");
}
