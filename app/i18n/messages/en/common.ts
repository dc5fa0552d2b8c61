// Words many pages share.
export const common = {
  language: {
    label: "Language",
    change: "Change language",
    invalid: "Choose one of the languages offered.",
  },
  signOut: "Sign out",
  history: "History",
  account: "Account",
  yourAccount: "Your account",
  preferences: "Preferences",
  questions: "Questions?",
  emailAddress: "Email address",
  badLink: {
    title: "This link no longer works",
    expired: "Links in our emails stop working after a while, to keep your preferences safe.",
    broken: "The link may have been cut short or changed on its way to you.",
    askAgain: "Enter your email address and we will send you a new link to manage your email preferences.",
    send: "Email me a new link",
  },
  error: {
    notFound: "Page not found",
    failed: "Sorry, that did not work",
    ourSide: "Something went wrong on our side. Please try again in a moment.",
    home: "Go to the home page",
  },
} as const;
