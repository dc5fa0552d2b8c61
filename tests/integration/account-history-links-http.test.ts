import { beforeAll, describe, expect, it } from "vitest";
import { addMember } from "../helpers/accounts-http.ts";
import { useRunningApp } from "../helpers/running-app.ts";

// Issue 20 point 5: History (/preferences/history) and Account (/account) link to each other,
// for a signed-in person; a page opened from an emailed link opens no account, so it offers none.

const { appDb, http } = useRunningApp();
let member: string;

beforeAll(async () => {
  member = await http.signIn((await addMember(appDb)).email);
});

const hrefs = async (response: Response) => [...(await response.text()).matchAll(/<a [^>]*href="([^"]+)"/g)].map((match) => match[1]);

describe("History and Account", () => {
  it("link to each other for a signed-in person", async () => {
    const history = await http.get("/preferences/history", { cookie: member });
    expect(history.status).toBe(200);
    expect(await hrefs(history)).toContain("/account");
    const account = await http.get("/account", { cookie: member });
    expect(account.status).toBe(200);
    expect(await hrefs(account)).toContain("/preferences/history");
  });
});
