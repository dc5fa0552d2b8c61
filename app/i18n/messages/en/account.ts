// The account pages: /login, /signup, /forgot-password, /reset-password, /account.
export const account = {
  newPasswordHint: "At least 12 characters. A few unrelated words work well; avoid your email address.",
  linkProblem: {
    used: "This link has already been used. Each link works once.",
    expired: "This link has expired. Links in our emails work for a short time, to keep your account safe.",
    unknown: "The link may have been cut short or changed on its way to you.",
  },
  password: "Password",
  login: {
    title: "Sign in — Preference Center",
    heading: "Sign in",
    lede: "Manage the email you get from our brands, and your account.",
    signedOut: "You are signed out.",
    signedOutEverywhere: "You are signed out on every device.",
    linkSent: "<strong>Check your inbox.</strong> If there is an account for {{email}}, a sign-in link is on its way. It works once, for {{minutes}} minutes.",
    submit: "Sign in",
    forgot: "Forgot your password?",
    or: "or, without a password",
    emailLink: "Email me a sign-in link",
    newHere: "New here? <signup>Create an account</signup> to manage all your email preferences in one place.",
  },
} as const;
