// The channels a person can be reached on, in one place: every folder may import this file, and
// it imports nothing, so it closes no cycle.

export type Channel = "EMAIL" | "POSTAL" | "PHONE";
export const CHANNELS: readonly Channel[] = ["EMAIL", "POSTAL", "PHONE"];

export const CHANNEL_LABEL: Record<Channel, string> = { EMAIL: "Email", POSTAL: "Postal mail", PHONE: "Phone" };

/** The channels a topic is offered on, in the order pages list them. */
export function offeredChannels(topic: { offersEmail: boolean; offersPostal: boolean; offersPhone: boolean }): Channel[] {
  const channels: Channel[] = [];
  if (topic.offersEmail) channels.push("EMAIL");
  if (topic.offersPostal) channels.push("POSTAL");
  if (topic.offersPhone) channels.push("PHONE");
  return channels;
}
