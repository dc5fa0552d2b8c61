import { describe, expect, it } from "vitest";
import { z } from "zod";
import { repeated } from "./form-schemas.ts";
import { parseForm, parseFormData } from "./parse-form.server.ts";

const post = (body: BodyInit | null, contentType?: string) =>
  new Request("http://localhost/x", { method: "POST", body, headers: contentType ? { "Content-Type": contentType } : {} });
const urlEncoded = (fields: string) => post(fields, "application/x-www-form-urlencoded");

const Signup = z.object({
  email: z.string().trim().min(1, "Enter your email address."),
  age: z.coerce.number().int("Enter a whole number.").optional(),
  news: z.literal("on").optional(),
  shown: z.array(z.string()).default([]),
});

describe("parseForm", () => {
  it("gives the schema's value for a form that passes", async () => {
    const parsed = await parseForm(urlEncoded("email=+a%40example.com+&age=42&news=on&shown=a&shown=b"), Signup);
    expect(parsed).toMatchObject({ ok: true, value: { email: "a@example.com", age: 42, news: "on", shown: ["a", "b"] } });
  });

  it("keeps strings as sent: an empty field is an empty string, so the schema's own message is shown", async () => {
    const parsed = await parseForm(urlEncoded("email=&age=4.5"), Signup);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.status).toBe(400);
    expect(parsed.errors).toEqual({ email: "Enter your email address.", age: "Enter a whole number." });
    expect(parsed.values).toEqual({ email: "", age: "4.5" });
  });

  it("names the field of an error inside a list, and 'form' for an error about the whole form", async () => {
    const Pair = z
      .object({ code: z.array(z.string().regex(/^\d+$/, "Digits only.")), repeat: z.string() })
      .refine((form) => form.code.join("") === form.repeat, { message: "The two do not match." });
    const parsed = await parseForm(urlEncoded("code=1&code=x&repeat=1x"), Pair);
    expect(parsed).toMatchObject({ ok: false, errors: { "code[1]": "Digits only." } });
    const mismatch = await parseForm(urlEncoded("code=1&code=2&repeat=3"), Pair);
    expect(mismatch).toMatchObject({ ok: false, errors: { form: "The two do not match." } });
  });

  it("reads a form the action has already read the same way (parseFormData)", async () => {
    const form = new FormData();
    form.append("email", " a@example.com ");
    form.append("shown", "a");
    form.append("shown", "b");
    expect(parseFormData(form, Signup)).toMatchObject({ ok: true, value: { email: "a@example.com", shown: ["a", "b"] } });
    form.set("email", "");
    expect(parseFormData(form, Signup)).toMatchObject({ ok: false, status: 400, errors: { email: "Enter your email address." } });
  });

  it("reads a repeated field as a list however often it was posted, once included", async () => {
    const Undo = z.object({ event: repeated(z.array(z.coerce.number().int().positive("Not an event.")).max(2)) });
    expect(await parseForm(urlEncoded(""), Undo)).toMatchObject({ ok: true, value: { event: [] } });
    expect(await parseForm(urlEncoded("event=7"), Undo)).toMatchObject({ ok: true, value: { event: [7] } });
    expect(await parseForm(urlEncoded("event=7&event=8"), Undo)).toMatchObject({ ok: true, value: { event: [7, 8] } });
    expect(await parseForm(urlEncoded("event=7&event=-1"), Undo)).toMatchObject({ ok: false, errors: { "event[1]": "Not an event." } });
  });

  it("refuses a NUL character in any text field with a 400 beside that field (PostgreSQL cannot store it)", async () => {
    const parsed = await parseForm(urlEncoded("email=a%00b%40example.com&shown=ok&shown=n%00"), Signup);
    expect(parsed).toMatchObject({
      ok: false,
      status: 400,
      errors: { email: "This field holds an invisible NUL character, which cannot be stored: type it again.", shown: "This field holds an invisible NUL character, which cannot be stored: type it again." },
    });
  });

  it("answers a body that is not a form with readForm's 400", async () => {
    const thrown = await parseForm(post('{"email":"a@example.com"}', "application/json"), Signup).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).status).toBe(400);
  });

  it("reads checkboxes of one name as a list however many are ticked, none included", async () => {
    const Units = z.object({ units: repeated(z.array(z.string())) });
    for (const [body, units] of [["units=3&units=4", ["3", "4"]], ["units=3", ["3"]], ["", []]] as const) {
      expect(await parseForm(urlEncoded(body), Units), body).toMatchObject({ ok: true, value: { units } });
    }
  });

  describe("with an upload", () => {
    const limit = { path: "/x", maxBytes: 16, label: "16 bytes", field: "file" };
    const Upload = z.object({ unitId: z.coerce.number().int().positive("Choose a unit."), file: z.instanceof(File, { message: "Choose a file." }) });
    const multipart = (content: string) => {
      const form = new FormData();
      form.set("unitId", "3");
      form.set("file", new File([content], "list.csv", { type: "text/csv" }));
      return post(form);
    };

    it("reads the file", async () => {
      const parsed = await parseForm(multipart("email\na@b.c\n"), Upload, { upload: limit });
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.value.unitId).toBe(3);
      expect(await parsed.value.file.text()).toBe("email\na@b.c\n");
    });

    it("answers a file over the limit with a 413 beside the file field", async () => {
      const parsed = await parseForm(multipart("x".repeat(17)), Upload, { upload: limit });
      expect(parsed).toMatchObject({ ok: false, status: 413, errors: { file: "That file is larger than 16 bytes. Split it into smaller files and import each one." } });
    });

    it("answers a broken multipart body with a 400 about the whole form", async () => {
      const parsed = await parseForm(post("--b\r\nContent-Disposition: form-data; name", "multipart/form-data; boundary=b"), Upload, { upload: limit });
      expect(parsed).toMatchObject({ ok: false, status: 400, errors: { form: expect.stringMatching(/could not be read/) } });
    });
  });
});
