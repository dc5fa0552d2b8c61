// How a campaign's topics read in a list or a heading (ADR 055): "Topic name", or "Topic name + 2 more".

export function topicsLabel(campaign: { topic: { name: string }; topics?: unknown[] }): string {
  const more = (campaign.topics?.length ?? 0) - 1;
  return more > 0 ? `${campaign.topic.name} + ${more} more` : campaign.topic.name;
}
