import type { OneTimeLinkPurpose } from "~/generated/prisma/enums.ts";

/** How long each emailed account link works, in minutes (pages say it, so not server-only). */
export const ONE_TIME_LINK_MINUTES: Record<OneTimeLinkPurpose, number> = {
  SIGN_IN: 15,
  RESET_PASSWORD: 60,
  CONFIRM_SIGN_UP: 24 * 60,
  CONFIRM_EMAIL_CHANGE: 24 * 60,
  INVITE: 7 * 24 * 60,
};
