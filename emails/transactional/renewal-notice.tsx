import { z } from "zod";
import {
  ActionButton,
  brandColors,
  formatDate,
  Greeting,
  Paragraph,
  PREVIEW_CATEGORY_REASONS,
  PREVIEW_PREFERENCES_URL,
  PREVIEW_UNIT,
  TransactionalLayout,
} from "../components/index.ts";
import { defineTransactionalTemplate, type TransactionalEmailProps } from "../template-kinds.ts";
import { isoDate, oneLine, recipientName, webLink } from "./fields.ts";

export const RenewalNoticeData = z.strictObject({
  recipientName,
  productName: oneLine(120),
  renewalDate: isoDate,
  /** Already formatted with its currency, e.g. "€49.00". */
  amount: oneLine(32).regex(/\d/, "must be an amount such as €49.00").optional(),
  manageUrl: webLink.optional(),
});
export type RenewalNoticeData = z.infer<typeof RenewalNoticeData>;

const PREVIEW_DATA: RenewalNoticeData = {
  recipientName: "Jane",
  productName: "Example Tax Premium",
  renewalDate: "2026-06-01",
  amount: "€49.00",
  manageUrl: "https://tax.example.com/account/subscription",
};

export default function RenewalNoticeEmail({
  data = PREVIEW_DATA,
  unit = PREVIEW_UNIT,
  categoryReason = PREVIEW_CATEGORY_REASONS.renewal,
  preferencesUrl = PREVIEW_PREFERENCES_URL,
}: Partial<TransactionalEmailProps<RenewalNoticeData>>) {
  const colors = brandColors(unit.brandColor);
  const date = formatDate(data.renewalDate);
  return (
    <TransactionalLayout
      unit={unit}
      heading={`Your ${data.productName} renews on ${date}`}
      preview={`${data.productName} renews on ${date}.`}
      footer={{ categoryReason, preferencesUrl }}
    >
      <Greeting name={data.recipientName} />
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
    </TransactionalLayout>
  );
}

export const renewalNotice = defineTransactionalTemplate({
  categories: ["renewal"],
  schema: RenewalNoticeData,
  previewData: PREVIEW_DATA,
  subject: (data) => `Your ${data.productName} renews on ${formatDate(data.renewalDate)}`,
  Component: RenewalNoticeEmail,
});
