import type { Channel } from "~/domain/consent/eligibility.ts";

export const CHANNEL_LABEL: Record<Channel, string> = { EMAIL: "Email", POSTAL: "Postal mail", PHONE: "Phone" };

export function offeredChannels(topic: { offersEmail: boolean; offersPostal: boolean; offersPhone: boolean }): Channel[] {
  const channels: Channel[] = [];
  if (topic.offersEmail) channels.push("EMAIL");
  if (topic.offersPostal) channels.push("POSTAL");
  if (topic.offersPhone) channels.push("PHONE");
  return channels;
}
