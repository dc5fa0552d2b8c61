// The choices of the unsubscribe page. Not a .server module: the page's form schema is built
// from them when the route module loads, in the browser too.

export const UNSUBSCRIBE_CHOICES = ["topic", "unit", "everywhere", "pause-30", "pause-90"] as const;
export type UnsubscribeChoice = (typeof UNSUBSCRIBE_CHOICES)[number];
