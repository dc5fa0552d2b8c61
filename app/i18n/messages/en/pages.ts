// A person's own pages: /welcome, /preferences/history, /p/<token>, the home page.
export const pages = {
  channel: { EMAIL: "Email", POSTAL: "Postal mail", PHONE: "Phone" },
  welcome: {
    title: "Choose what you'd like",
    heading: "Choose what you'd like",
    lede: "Your account is ready. Tick what you would like to hear about, from any of our brands. You can change it at any time.",
    save: "Save my choices",
    skip: "Skip for now",
  },
  history: {
    heading: "Your consent history",
    lede: "Every change to what we may send you, newest first: when it happened, how, and from which address.",
    changes: "Changes",
    none: "No changes are recorded yet.",
    from: "from {{ip}}",
    pages: "Pages",
    newer: "← Newer",
    older: "Older →",
    page: "Page {{page}} of {{pages}}",
  },
  link: {
    title: "Your email preferences",
    heading: "Manage your email preferences",
    lede: "For <strong>{{email}}</strong>. You can change what each of our brands sends you, by email, post and phone.",
    open: "Open my preferences",
  },
  home: {
    manage: "Manage my preferences",
    lede: "The promotional topics each of our business units offers, and the service messages that always reach you.",
    empty: "No business units are set up yet.",
    topics: "Promotional topics",
    service: "Service messages you always receive",
  },
  newLink: {
    title: "Get a new preferences link",
    heading: "Get a new link",
    sent: "If that address is on our lists, a new link to your email preferences is on its way. It can take a few minutes to arrive.",
  },
} as const;
