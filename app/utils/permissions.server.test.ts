import { beforeEach, describe, expect, it } from "vitest";
import { createSubscriber, requestWithCookie } from "../../tests/helpers/accounts.ts";
import { openLinkSession, openUserSession, readSession } from "~/domain/accounts/sessions.server.ts";
import { requireUser } from "./permissions.server.ts";

const requester = { ip: "203.0.113.9", userAgent: "vitest" };

let user: Awaited<ReturnType<typeof createSubscriber>>;
beforeEach(async () => {
  user = await createSubscriber();
});

describe("requireUser", () => {
  it("returns the signed-in user", async () => {
    const setCookie = await openUserSession(user.id, requestWithCookie(), requester);
    expect(await requireUser(requestWithCookie(setCookie))).toMatchObject({ id: user.id, email: user.email, role: "SUBSCRIBER", contactId: user.contactId });
  });

  it("sends anyone else to /login with the page to come back to", async () => {
    const thrown = await requireUser(requestWithCookie(null, "/preferences?unit=2")).catch((response) => response);
    expect(thrown).toBeInstanceOf(Response);
    expect(thrown.status).toBe(302);
    expect(thrown.headers.get("location")).toBe("/login?redirectTo=%2Fpreferences%3Funit%3D2");
  });

  it("does not accept a link session (it belongs to a contact, not a user)", async () => {
    const setCookie = await openLinkSession({ contactId: user.contactId!, tokenId: "jti-of-the-link", optOutOnly: false }, requester);
    expect(await readSession(requestWithCookie(setCookie))).toMatchObject({ userId: null, contactId: user.contactId, linkTokenId: "jti-of-the-link" });
    await expect(requireUser(requestWithCookie(setCookie))).rejects.toBeInstanceOf(Response);
  });
});
