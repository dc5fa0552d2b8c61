// The account pages: /login, /signup, /forgot-password, /reset-password, /account.
export const account = {
  newPasswordHint: "At least 12 characters. A few unrelated words work well; avoid your email address.",
  linkProblem: {
    used: "This link has already been used. Each link works once.",
    expired: "This link has expired. Links in our emails work for a short time, to keep your account safe.",
    unknown: "The link may have been cut short or changed on its way to you.",
  },
} as const;
