import type { OneTimeLinkPurpose } from "~/generated/prisma/enums.ts";

// Where the personal links emailed to people lead. Kept apart from the code that issues them so
// the outbox viewer (mail) can recognise them without importing accounts.

/** Where each kind of one-time account link leads; also how the outbox viewer recognises them to remove them. */
export const ONE_TIME_LINK_PATHS: Record<OneTimeLinkPurpose, string> = {
  SIGN_IN: "/login/link/",
  RESET_PASSWORD: "/reset-password/",
  CONFIRM_SIGN_UP: "/signup/confirm/",
  CONFIRM_EMAIL_CHANGE: "/account/confirm-email/",
  INVITE: "/invite/",
};
