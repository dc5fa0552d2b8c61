import { describe, expect, it } from "vitest";
import { readForm } from "./read-form.server.ts";

const post = (body: string | null, contentType?: string) =>
  new Request("http://localhost/x", { method: "POST", body, headers: contentType ? { "Content-Type": contentType } : {} });

async function refusal(request: Request): Promise<Response> {
  try {
    await readForm(request);
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(Response);
    return thrown as Response;
  }
  throw new Error("expected the form to be refused");
}

describe("readForm", () => {
  it("reads no body at all as an empty form", async () => {
    expect([...(await readForm(post(null)))]).toEqual([]);
  });

  it("reads a url-encoded form and a well-formed multipart form", async () => {
    expect((await readForm(post("intent=save&name=%C3%A9", "application/x-www-form-urlencoded"))).get("name")).toBe("é");
    const multipart = new FormData();
    multipart.set("intent", "save");
    expect((await readForm(new Request("http://localhost/x", { method: "POST", body: multipart }))).get("intent")).toBe("save");
  });

  it.each([
    ["a JSON body", '{"intent":"save"}', "application/json"],
    ["a multipart body cut short", "--b\r\nContent-Disposition: form-data; name", "multipart/form-data; boundary=b"],
    ["a multipart type without a boundary", "x", "multipart/form-data"],
    ["plain text", "intent=save", "text/plain"],
    ["a body with no type", "intent=save", undefined],
  ])("answers %s with a 400 that says what to do", async (_name, body, type) => {
    const answer = await refusal(post(body, type));
    expect(answer.status).toBe(400);
    expect(answer.headers.get("Content-Type")).toMatch(/^text\/plain/);
    expect(await answer.text()).toMatch(/^This request did not carry a form we can read\. Go back to the page, reload it and send the form again\./);
  });
});
