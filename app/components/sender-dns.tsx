import { Form, useNavigation } from "@remix-run/react";

// The unit page's DNS records: what each of the unit's domains must publish (DKIM key, SPF,
// DMARC, the bounce domain's MX), and after "Check DNS" what DNS holds for each: found,
// missing, wrong or could not check.

export type DnsRecordView = {
  key: string;
  label: string;
  name: string;
  type: "TXT" | "MX";
  publish: { name: string; type: string; value: string; zoneLine: string } | null;
  note?: string;
  notSetUp?: string;
};
export type DnsResultView = { key: string; verdict: "found" | "missing" | "wrong" | "could-not-check" | "not-set-up"; message: string; seen: string[] };
export type DnsReportView = { checkedAt: string; resolver: string; results: DnsResultView[] };

const VERDICT_LABEL: Record<DnsResultView["verdict"], string> = {
  found: "Found",
  missing: "Missing",
  wrong: "Wrong",
  "could-not-check": "Could not check",
  "not-set-up": "Not set up",
};

export function SenderDnsSection({
  bounceDomain,
  feedbackLoopAddress,
  mxHost,
  alignment,
  records,
  report,
}: {
  bounceDomain: string;
  /** Why SPF on the bounce domain cannot align with the From domain for DMARC; null when it can. */
  alignment: string | null;
  feedbackLoopAddress: string;
  mxHost: string;
  records: DnsRecordView[];
  /** The last check's answer; null until the admin checks. */
  report: DnsReportView | null;
}) {
  const checking = useNavigation().formData?.get("intent") === "dns-check";
  const resultOf = (key: string) => report?.results.find((r) => r.key === key) ?? null;
  return (
    <section id="dns" aria-labelledby="dns-heading" className="unit-section staff-panel">
      <h2 id="dns-heading">DNS records</h2>
      <p>
        For mail from this unit to be accepted and its bounces to come back, its domains publish these records. Bounces, spam complaints and mailto unsubscribes come back to the bounce domain{" "}
        <code>{bounceDomain}</code>, whose MX must point at <code>{mxHost}</code>. Register <code className="fbl-address">{feedbackLoopAddress}</code> with mailbox providers&apos; feedback loops
        (for example Yahoo&apos;s and Microsoft&apos;s) so their spam complaints reach this product.
      </p>
      {alignment ? (
        <p className="form-message dns-alignment" data-testid="dns-alignment">
          {alignment}
        </p>
      ) : null}
      <Form method="post" className="dns-check-form">
        <input type="hidden" name="intent" value="dns-check" />
        <button type="submit" className="button secondary" disabled={checking}>
          {checking ? "Checking DNS…" : "Check DNS"}
        </button>
        <span className="hint">
          {report
            ? `Checked ${new Date(report.checkedAt).toLocaleString("en-GB", { timeZone: "UTC", dateStyle: "medium", timeStyle: "medium" })} UTC through ${report.resolver}.`
            : " Looks each record up now, through the DNS resolver the server uses (a few seconds at most)."}
        </span>
      </Form>
      {records.map((record) => {
        const result = resultOf(record.key);
        return (
          <article key={record.key} className="dns-item" id={`dns-${record.key}`} aria-labelledby={`dns-${record.key}-heading`} data-verdict={result?.verdict ?? "unchecked"}>
            <h3 id={`dns-${record.key}-heading`}>
              {record.label}{" "}
              <span className={`dns-verdict ${result?.verdict ?? "unchecked"}`} data-testid={`dns-${record.key}-verdict`}>
                {result ? VERDICT_LABEL[result.verdict] : "Not checked"}
              </span>
            </h3>
            {result && result.verdict !== "not-set-up" ? (
              <p className="dns-message" data-testid={`dns-${record.key}-message`}>
                {result.message}
              </p>
            ) : null}
            {result && result.seen.length > 0 && result.verdict !== "found" ? (
              <>
                <p className="hint">What DNS holds at {record.name}:</p>
                <ul className="dns-seen">
                  {result.seen.map((value, i) => (
                    <li key={i}>
                      <code>{value}</code>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            {record.publish ? (
              result?.verdict === "found" ? (
                <details className="dns-publish">
                  <summary>The record to publish</summary>
                  <RecordLines record={record.publish} />
                </details>
              ) : (
                <RecordLines record={record.publish} />
              )
            ) : null}
            {record.note && result?.verdict !== "found" ? <p className="hint">{record.note}</p> : null}
            {record.notSetUp ? <p>{record.notSetUp}</p> : null}
          </article>
        );
      })}
    </section>
  );
}

function RecordLines({ record }: { record: NonNullable<DnsRecordView["publish"]> }) {
  return (
    <>
      <dl className="dns-record">
        <dt>Name</dt>
        <dd>
          <code>{record.name}</code>
        </dd>
        <dt>Type</dt>
        <dd>{record.type}</dd>
        <dt>Value</dt>
        <dd>
          <code className="txt-value">{record.value}</code>
        </dd>
      </dl>
      <p className="hint">As a zone-file line{record.value.length > 255 ? " (a value longer than 255 characters is split into quoted strings; most DNS providers split it for you)" : ""}:</p>
      <pre className="zone-line">{record.zoneLine}</pre>
    </>
  );
}
