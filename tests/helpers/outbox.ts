import fs from "node:fs";
import path from "node:path";
import PostalMime from "postal-mime";

// Links are read from the delivered email, the way a person gets them: the database keeps no
// usable copy once a message is sent.

const LINK_PATHS: Record<string, string[]> = {
  "sign-in-link": ["/login/link/"],
  "sign-up-confirmation": ["/signup/confirm/"],
  "password-reset": ["/reset-password/"],
  "email-change-verification": ["/account/confirm-email/"],
  "preference-link": ["/p/"],
  "staff-invite": ["/invite/"],
};

/** The link of the given template's kind in the newest message to an address, or null. */
export async function emailedLink(outboxDir: string, to: string, template: string): Promise<string | null> {
  const prefixes = LINK_PATHS[template];
  if (!prefixes) throw new Error(`No link is known for template ${template}`);
  const files = fs.existsSync(outboxDir) ? fs.readdirSync(outboxDir).filter((f) => f.endsWith(".eml")).sort().reverse() : [];
  for (const file of files) {
    const message = await PostalMime.parse(fs.readFileSync(path.join(outboxDir, file)));
    if (message.to?.[0]?.address !== to) continue;
    const link = (message.text ?? "").match(/https?:\/\/[^\s<>"()[\]]+/g)?.find((url) => prefixes.some((prefix) => new URL(url).pathname.startsWith(prefix)));
    if (link) return link;
  }
  return null;
}

/** Every message to an address in the outbox, oldest first, as a mail app reads it. */
export async function emailedMessages(outboxDir: string, to: string) {
  const files = fs.existsSync(outboxDir) ? fs.readdirSync(outboxDir).filter((f) => f.endsWith(".eml")).sort() : [];
  const messages = [];
  for (const file of files) {
    const message = await PostalMime.parse(fs.readFileSync(path.join(outboxDir, file)));
    if (message.to?.[0]?.address === to) messages.push(message);
  }
  return messages;
}
