import { z } from "zod";

// Form fields of the account pages that are more than "a string": shared by the routes.

export const NameSchema = z
  .string({ error: "Enter your name." })
  .trim()
  .min(1, "Enter your name.")
  .max(100, "Use at most 100 characters.")
  .regex(/^[^\r\n<>]*$/, "Use letters, spaces and punctuation only.");

/** A password typed to prove who you are (not a new one: the rules apply to new ones only). */
export const CurrentPasswordSchema = z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(1000, "That password is too long.");

/** A new password: its rules need the email address, so the domain checks them (checkNewPassword). */
export const NewPasswordSchema = z.string({ error: "Choose a password." }).min(1, "Choose a password.");

/** The answer to a form whose hidden intent is missing or unknown: an old page or a crafted post. */
export const UNREADABLE_FORM = "The form could not be read. Please try again.";

/** The one field of a one-time link page that asks for a new password (reset, invitation). */
export const NewPasswordForm = z.object({ password: NewPasswordSchema });

/** The one field of a one-time link page that asks for the password chosen earlier (sign-up confirmation). */
export const CurrentPasswordForm = z.object({ password: CurrentPasswordSchema });
