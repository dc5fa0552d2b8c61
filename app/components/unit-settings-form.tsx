import { Form } from "@remix-run/react";
import { ChoiceGroup, ErrorSummary, TextAreaField, TextField } from "./admin-units.tsx";

// The business unit form, for a new unit and for editing one. The DKIM private key is
// write-only: the form shows that a key is stored (size and fingerprint), with a box to paste a
// replacement and one to remove it, never the key.

export type UnitFormValues = Partial<Record<string, string>>;
export type UnitFormErrors = Partial<Record<string, string>>;
export type StoredKeyView = { bits: number; fingerprint: string } | null;

export const UNIT_FIELD_LABELS: Record<string, string> = {
  slug: "Slug",
  displayName: "Display name",
  legalName: "Legal name",
  postalAddress: "Postal address",
  contact: "Contact",
  contactEmail: "Contact email",
  contactPhone: "Contact phone",
  contactUrl: "Contact web page",
  fromName: "From name",
  fromEmail: "From address",
  serviceFromEmail: "Service From address",
  replyTo: "Reply-To address",
  sendingDomain: "Sending domain",
  bounceDomain: "Bounce domain",
  dkimDomain: "DKIM domain",
  dkimSelector: "DKIM selector",
  dkimPrivateKey: "DKIM private key",
  brandColor: "Brand colour",
  logoUrl: "Logo address",
  oneClickScope: "One-click unsubscribe",
};

/** A failed save's answer: what was typed, but never the private key, which is not sent back to the page. */
export function unsavedUnitForm(typed: UnitFormValues, errors: UnitFormErrors) {
  const { dkimPrivateKey, ...values } = typed;
  return { errors, values, keyWasPasted: Boolean(dkimPrivateKey?.trim()) && !errors.dkimPrivateKey, attempt: Date.now() };
}

export function UnitSettingsForm({
  values,
  errors,
  creating,
  storedKey,
  keyWasPasted,
  attempt,
  submitLabel,
}: {
  values: UnitFormValues;
  errors: UnitFormErrors;
  creating: boolean;
  storedKey: StoredKeyView;
  /** A key was pasted in the form that failed: it is not sent back, so ask for it again. */
  keyWasPasted: boolean;
  /** Changes with every failed save: the key box is rebuilt empty, as without JavaScript. */
  attempt?: number;
  submitLabel: string;
}) {
  const v = (name: string) => values[name] ?? "";
  const scope = v("oneClickScope") || "UNIT";
  return (
    <Form method="post" className="unit-form" noValidate>
      <input type="hidden" name="intent" value="save" />
      <ErrorSummary errors={errors} labels={UNIT_FIELD_LABELS} />

      <section className="staff-panel" aria-labelledby="identity-heading">
        <h2 id="identity-heading">Identity</h2>
        <p className="hint">Every promotional email shows the legal name, the postal address and a way to reach the unit.</p>
        {creating ? (
          <TextField
            label="Slug"
            name="slug"
            required
            defaultValue={v("slug")}
            error={errors.slug}
            maxLength={40}
            spellCheck={false}
            hint="Lower-case letters, digits and hyphens, like example-tax. Links, imports and the CLI name the unit by it, so it cannot change later."
          />
        ) : null}
        <TextField label="Display name" name="displayName" required defaultValue={v("displayName")} error={errors.displayName} maxLength={80} hint="The name people know the unit by, e.g. Example Tax." />
        <TextField label="Legal name" name="legalName" required defaultValue={v("legalName")} error={errors.legalName} maxLength={160} hint="The company behind the unit, e.g. Example Tax Services Ltd." />
        <TextAreaField label="Postal address" name="postalAddress" required defaultValue={v("postalAddress")} error={errors.postalAddress} rows={3} hint="One line per line of the address." />
        <ChoiceGroup legend="How people reach the unit" id="field-contact" error={errors.contact} hint="At least one of these.">
          <TextField label="Contact email" name="contactEmail" type="email" inputMode="email" defaultValue={v("contactEmail")} error={errors.contactEmail} maxLength={254} />
          <TextField label="Contact phone" name="contactPhone" type="tel" inputMode="tel" defaultValue={v("contactPhone")} error={errors.contactPhone} maxLength={40} />
          <TextField label="Contact web page" name="contactUrl" type="url" inputMode="url" defaultValue={v("contactUrl")} error={errors.contactUrl} maxLength={500} hint="A full address, like https://tax.example.com/contact." />
        </ChoiceGroup>
      </section>

      <section className="staff-panel" aria-labelledby="sending-heading">
        <h2 id="sending-heading">Sending</h2>
        <TextField label="From name" name="fromName" required defaultValue={v("fromName")} error={errors.fromName} maxLength={80} hint="The sender's name inboxes show." />
        <TextField
          label="Sending domain"
          name="sendingDomain"
          required
          defaultValue={v("sendingDomain")}
          error={errors.sendingDomain}
          maxLength={253}
          spellCheck={false}
          hint="The domain mail goes out from (Message-IDs, and the default DKIM domain), like tax.example.com."
        />
        <TextField
          label="Bounce domain"
          name="bounceDomain"
          defaultValue={v("bounceDomain")}
          error={errors.bounceDomain}
          maxLength={253}
          spellCheck={false}
          hint="The domain of every message's return path: bounces, spam complaints and mailto unsubscribes come back to it, so its MX must point at the bounce server and it must receive no other mail. Empty: bounces. followed by the sending domain."
        />
        <TextField
          label="From address"
          name="fromEmail"
          type="email"
          inputMode="email"
          required
          defaultValue={v("fromEmail")}
          error={errors.fromEmail}
          maxLength={254}
          hint="Promotional mail comes from this address. It must be on the sending domain (or a subdomain or parent of it): otherwise DMARC fails and mailbox providers reject the mail."
        />
        <TextField
          label="Service From address"
          name="serviceFromEmail"
          type="email"
          inputMode="email"
          defaultValue={v("serviceFromEmail")}
          error={errors.serviceFromEmail}
          maxLength={254}
          hint="Service mail (renewals, tax notices, sign-in links) comes from this address. Empty: service@ the sending domain."
        />
        <TextField label="Reply-To address" name="replyTo" type="email" inputMode="email" defaultValue={v("replyTo")} error={errors.replyTo} maxLength={254} hint="Where replies go, on any domain. Empty: to the From address." />
      </section>

      <section className="staff-panel" aria-labelledby="dkim-settings-heading">
        <h2 id="dkim-settings-heading">DKIM signing</h2>
        <p className="hint">
          With a key, every message from this unit is signed, and receivers check the signature against the public key you publish in DNS. Without one, mail goes out unsigned unless your SMTP relay signs it.
        </p>
        <TextField
          label="DKIM domain"
          name="dkimDomain"
          defaultValue={v("dkimDomain")}
          error={errors.dkimDomain}
          maxLength={253}
          spellCheck={false}
          hint="The d= domain of the signature. Empty: the sending domain."
        />
        <TextField label="DKIM selector" name="dkimSelector" defaultValue={v("dkimSelector")} error={errors.dkimSelector} maxLength={63} spellCheck={false} hint="The name the key is published under: <selector>._domainkey.<domain>, e.g. pc2026." />
        {storedKey ? (
          <div className="stored-key" id="stored-key">
            <p>
              <strong>A key is stored</strong> ({storedKey.bits ? `RSA, ${storedKey.bits} bits` : "unreadable: replace it"}; public key fingerprint{" "}
              <code className="fingerprint">{storedKey.fingerprint}</code>). It is never shown again.
            </p>
            {storedKey.bits > 0 && storedKey.bits < 2048 ? <p className="hint">Shorter than the 2048 bits RFC 8301 recommends: replace it when you can.</p> : null}
          </div>
        ) : null}
        <TextAreaField
          key={attempt ?? 0}
          label={storedKey ? "Replace with a new private key" : "Private key"}
          name="dkimPrivateKey"
          defaultValue=""
          error={errors.dkimPrivateKey ?? (keyWasPasted ? "The key you pasted was not saved because of the problems above, and is not sent back to the page: paste it again." : null)}
          rows={5}
          monospace
          placeholder={"-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----"}
          hint={
            <>
              An unencrypted RSA key in PEM form (2048 bits recommended), e.g. from <code>openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048</code>. The mail transport signs with RSA
              only.{storedKey ? " Leave empty to keep the stored key." : ""}
            </>
          }
        />
        {storedKey ? (
          <div className="field checkbox-field">
            <label>
              <input type="checkbox" name="removeDkimKey" defaultChecked={v("removeDkimKey") === "on"} /> Remove the stored key (and clear the selector and DKIM domain): mail goes out unsigned
            </label>
          </div>
        ) : null}
      </section>

      <section className="staff-panel" aria-labelledby="brand-heading">
        <h2 id="brand-heading">Brand</h2>
        <div className="color-field">
          <TextField
            label="Brand colour"
            name="brandColor"
            defaultValue={v("brandColor") || "#1f4f8b"}
            error={errors.brandColor}
            maxLength={7}
            spellCheck={false}
            hint="# and six hexadecimal digits. Emails and the unit's pages use it; text on it stays readable whatever the colour."
          />
          {/^#[0-9a-f]{6}$/i.test(v("brandColor") || "#1f4f8b") ? <span className="swatch" style={{ background: v("brandColor") || "#1f4f8b" }} aria-hidden="true" /> : null}
        </div>
        <TextField label="Logo address" name="logoUrl" type="url" inputMode="url" defaultValue={v("logoUrl")} error={errors.logoUrl} maxLength={500} hint="An https:// address of an image, shown at the top of emails (about 32 pixels high)." />
      </section>

      <section className="staff-panel" aria-labelledby="one-click-heading">
        <h2 id="one-click-heading">One-click unsubscribe</h2>
        <ChoiceGroup legend="One click on an email's unsubscribe link stops" id="field-oneClickScope" error={errors.oneClickScope}>
          <label className="choice">
            <input type="radio" name="oneClickScope" value="UNIT" defaultChecked={scope === "UNIT"} />
            <span>
              All of this unit's promotional email <small>Recommended: what people expect when they click unsubscribe.</small>
            </span>
          </label>
          <label className="choice">
            <input type="radio" name="oneClickScope" value="TOPIC" defaultChecked={scope === "TOPIC"} />
            <span>
              Only the topic of that email <small>The page behind the link still offers to stop everything from the unit.</small>
            </span>
          </label>
        </ChoiceGroup>
      </section>

      <div className="form-actions">
        <button type="submit" className="button">
          {submitLabel}
        </button>
      </div>
    </Form>
  );
}
