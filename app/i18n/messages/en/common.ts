// Words many pages share.
export const common = {
  language: {
    label: "Language",
    change: "Change language",
  },
  signOut: "Sign out",
  history: "History",
  account: "Account",
  preferences: "Preferences",
} as const;
