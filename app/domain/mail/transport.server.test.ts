import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createMailTransport, MailConfigError } from "./transport.server.ts";

describe("createMailTransport", () => {
  it("fails at creation when smtp has no usable SMTP_URL", () => {
    expect(() => createMailTransport({ MAIL_TRANSPORT: "smtp", OUTBOX_DIR: "var/outbox" })).toThrow(MailConfigError);
    expect(() => createMailTransport({ MAIL_TRANSPORT: "smtp", OUTBOX_DIR: "var/outbox" })).toThrow(/needs SMTP_URL/);
    expect(() => createMailTransport({ MAIL_TRANSPORT: "smtp", OUTBOX_DIR: "var/outbox", SMTP_URL: "not a url" })).toThrow(MailConfigError);
    expect(() => createMailTransport({ MAIL_TRANSPORT: "smtp", OUTBOX_DIR: "var/outbox", SMTP_URL: "http://mail.example.com" })).toThrow(/smtp:\/\//);
  });

  it("refuses an unknown transport name", () => {
    const config = { MAIL_TRANSPORT: "carrier-pigeon", OUTBOX_DIR: "var/outbox" } as unknown as Parameters<typeof createMailTransport>[0];
    expect(() => createMailTransport(config)).toThrow(/MAIL_TRANSPORT must be outbox or smtp/);
  });

  it("builds the outbox transport on OUTBOX_DIR", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mail-transport-test-"));
    try {
      const transport = createMailTransport({ MAIL_TRANSPORT: "outbox", OUTBOX_DIR: path.join(tmp, "outbox") });
      expect(transport.name).toBe("outbox");
      await transport.send({
        stream: "transactional",
        from: { name: "Acme Support", address: "support@acme.example" },
        to: "jane@example.com",
        subject: "Re: your request",
        html: "<p>Done.</p>",
        text: "Done.",
        messageIdDomain: "acme.example",
      });
      expect(fs.readdirSync(path.join(tmp, "outbox"))).toHaveLength(1);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
