import { z } from "zod";
import { ActionButton, brandColors, formatDate, Paragraph } from "../components/index.ts";
import { isoDate, oneLine, recipientName, webLink } from "./fields.ts";
import { defineServiceEmail } from "./service-email.tsx";

export const RenewalNoticeData = z.strictObject({
  recipientName,
  productName: oneLine(120),
  renewalDate: isoDate,
  /** Already formatted with its currency, e.g. "€49.00". */
  amount: oneLine(32).regex(/\d/, "must be an amount such as €49.00").optional(),
  manageUrl: webLink.optional(),
});
export type RenewalNoticeData = z.infer<typeof RenewalNoticeData>;

export const renewalNotice = defineServiceEmail<RenewalNoticeData>({
  category: "renewal",
  schema: RenewalNoticeData,
  previewData: {
    recipientName: "Jane",
    productName: "Example Tax Premium",
    renewalDate: "2026-06-01",
    amount: "€49.00",
    manageUrl: "https://tax.example.com/account/subscription",
  },
  subject: (data) => `Your ${data.productName} renews on ${formatDate(data.renewalDate)}`,
  words: (data, unit) => {
    const colors = brandColors(unit.brandColor);
    const date = formatDate(data.renewalDate);
    return {
      heading: `Your ${data.productName} renews on ${date}`,
      preview: `${data.productName} renews on ${date}.`,
      body: (
        <>
          <Paragraph>
            {`Your ${data.productName} will renew on ${date}.`}
            {data.amount ? ` The renewal price is ${data.amount}.` : null}
          </Paragraph>
          <Paragraph>If you want it to continue, you do not need to do anything.</Paragraph>
          {data.manageUrl ? (
            <>
              <Paragraph>{`To change or cancel it, do so before ${date}.`}</Paragraph>
              <ActionButton href={data.manageUrl} color={colors.accent} textColor={colors.onAccent}>
                Review your renewal
              </ActionButton>
            </>
          ) : (
            <Paragraph>{`To change or cancel it before ${date}, contact us using the details at the end of this email.`}</Paragraph>
          )}
        </>
      ),
    };
  },
});

export default renewalNotice.Component;
