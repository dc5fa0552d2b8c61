import { ZxcvbnFactory, type TranslationKeys } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";

// What a new password must be: at least 12 characters, not built on the email address, and
// hard to guess (zxcvbn score 3 or more). The reason is shown next to the password field.

export const PASSWORD_MIN_LENGTH = 12;
/** argon2 takes any length; a cap keeps one request from costing much. */
export const PASSWORD_MAX_LENGTH = 200;
const MIN_SCORE = 3;
/** Shorter local parts ("jo") would rule out too many good passwords. */
const MIN_LOCAL_PART = 3;

export type PasswordVerdict = { ok: true } | { ok: false; message: string; suggestion: string | null };

// zxcvbn's feedback comes as keys; these are the product's own words for them.
const TRANSLATIONS: TranslationKeys = {
  warnings: {
    straightRow: "Rows of keys on the keyboard are easy to guess.",
    keyPattern: "Short keyboard patterns are easy to guess.",
    simpleRepeat: "Repeated characters like “aaa” are easy to guess.",
    extendedRepeat: "Repeated patterns like “abcabcabc” are easy to guess.",
    sequences: "Common sequences like “abc” are easy to guess.",
    recentYears: "Recent years are easy to guess.",
    dates: "Dates are easy to guess.",
    topTen: "This is one of the most used passwords.",
    topHundred: "This is a very commonly used password.",
    common: "This is a commonly used password.",
    similarToCommon: "This is similar to a commonly used password.",
    wordByItself: "Single words are easy to guess.",
    namesByThemselves: "Single names or surnames are easy to guess.",
    commonNames: "Common names and surnames are easy to guess.",
    userInputs: "It should not contain your name or email address.",
    pwned: "This password has appeared in a data breach.",
  },
  suggestions: {
    l33t: "Avoid predictable letter swaps like “@” for “a”.",
    reverseWords: "Avoid spelling common words backwards.",
    allUppercase: "Capitalise some letters, not all of them.",
    capitalization: "Capitalise more than the first letter.",
    dates: "Avoid dates and years that are linked to you.",
    recentYears: "Avoid recent years.",
    associatedYears: "Avoid years that are linked to you.",
    sequences: "Avoid common character sequences.",
    repeated: "Avoid repeated words and characters.",
    longerKeyboardPattern: "Use longer keyboard patterns and change typing direction several times.",
    anotherWord: "Add more words that are less common.",
    useWords: "Use several unrelated words together.",
    noNeed: "You can create strong passwords without symbols, numbers or capital letters.",
    pwned: "If you use this password elsewhere, change it there too.",
  },
  timeEstimation: {
    ltSecond: "less than a second",
    second: "1 second",
    seconds: "seconds",
    minute: "1 minute",
    minutes: "minutes",
    hour: "1 hour",
    hours: "hours",
    day: "1 day",
    days: "days",
    month: "1 month",
    months: "months",
    year: "1 year",
    years: "years",
    centuries: "centuries",
  },
};

let estimator: ZxcvbnFactory | undefined;
function strengthEstimator(): ZxcvbnFactory {
  // Built once: ranking the dictionaries takes a moment.
  estimator ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs, translations: TRANSLATIONS });
  return estimator;
}

/** The parts of an address a guesser would try: "jane.doe@example.com" → jane.doe, jane, doe, example. */
function addressWords(email: string): string[] {
  const [local, domain = ""] = email.toLowerCase().split("@");
  return [...new Set([local, ...local.split(/[._+-]+/), domain.split(".")[0]].filter((w) => w.length >= 3))];
}

/** Checks a password someone wants to set for the account with this email address. */
export async function checkNewPassword(password: string, email: string): Promise<PasswordVerdict> {
  if (password.length < PASSWORD_MIN_LENGTH) {
    return { ok: false, message: `Use at least ${PASSWORD_MIN_LENGTH} characters.`, suggestion: "A few unrelated words make a long password that is easy to remember." };
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    return { ok: false, message: `Use at most ${PASSWORD_MAX_LENGTH} characters.`, suggestion: null };
  }
  const localPart = email.toLowerCase().split("@")[0];
  if (localPart.length >= MIN_LOCAL_PART && password.toLowerCase().includes(localPart)) {
    return { ok: false, message: "Your password must not contain your email address.", suggestion: null };
  }
  // check() is synchronous in 4.2 (checkAsync exists for async matchers, which we do not use).
  const result = strengthEstimator().check(password, addressWords(email));
  if (result.score >= MIN_SCORE) return { ok: true };
  return {
    ok: false,
    message: result.feedback.warning ? `This password is too easy to guess. ${result.feedback.warning}` : "This password is too easy to guess.",
    suggestion: result.feedback.suggestions[0] ?? "Add more words that are less common.",
  };
}
