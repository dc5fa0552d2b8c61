import { describe, expect, it } from "vitest";
import { checkNewPassword, PASSWORD_MIN_LENGTH } from "./password-rules.server.ts";

const email = "jane.doe@example.com";

describe("new password rules", () => {
  it("accepts a long, hard-to-guess password", async () => {
    expect(await checkNewPassword("quiet-harbour-lantern-4821", email)).toEqual({ ok: true });
  });

  it(`needs at least ${PASSWORD_MIN_LENGTH} characters, and says so`, async () => {
    const verdict = await checkNewPassword("Xk#9pL!q2", email);
    expect(verdict).toMatchObject({ ok: false, message: "Use at least 12 characters." });
  });

  it("refuses the email's local part in any case", async () => {
    expect(await checkNewPassword("my-JANE.DOE-lantern-4821", email)).toMatchObject({
      ok: false,
      message: "Your password must not contain your email address.",
    });
  });

  it("refuses weak passwords (zxcvbn score below 3) with zxcvbn's advice in plain words", async () => {
    const verdict = await checkNewPassword("password1234", email);
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.message).toBe("This password is too easy to guess. This is similar to a commonly used password.");
    expect(verdict.suggestion).toBe("Add more words that are less common.");
  });

  it.each(["aaaaaaaaaaaaaaaa", "qwertyuiopasdf", "123456789012"])("refuses %s", async (password) => {
    expect((await checkNewPassword(password, email)).ok).toBe(false);
  });

  it("counts the parts of the address as easy guesses", async () => {
    // Scores 3 for anyone else; for jane.doe@example.com "example" and "doe" are known words.
    expect(await checkNewPassword("exampledoe12", "someone@elsewhere.org")).toEqual({ ok: true });
    expect(await checkNewPassword("exampledoe12", email)).toMatchObject({
      ok: false,
      message: "This password is too easy to guess. It should not contain your name or email address.",
    });
  });

  it("caps the length at 200 characters", async () => {
    expect(await checkNewPassword("x".repeat(201), email)).toMatchObject({ ok: false, message: "Use at most 200 characters." });
  });
});
