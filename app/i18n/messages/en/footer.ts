// The footer of every promotional email: why the person gets it (from the consent record), the
// automatic label, the links to leave or choose less.
export const footer = {
  advertisement: "Advertisement",
  unsubscribe: "Unsubscribe",
  preferences: "Manage your email preferences",
  reason: {
    EXPRESS: "You subscribed to {{topic}} from {{unit}} on {{day}}.",
    IMPLIED_PURCHASE: "You receive {{topic}} as a customer of {{unit}}: you bought from it on {{day}}.",
    IMPLIED_INQUIRY: "You receive {{topic}} because you asked {{unit}} about its products or services on {{day}}.",
    SOFT_OPT_IN: "You receive {{topic}} as a customer of {{unit}}: you could say no when you gave your email address on {{day}}.",
    LEGITIMATE_INTEREST: "You receive {{topic}} because you have dealt with {{unit}} before, not because you signed up.",
  },
} as const;
