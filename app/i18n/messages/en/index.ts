// English, the source text. One file per area, so people working on different pages do not edit the same file.
import { account } from "./account.ts";
import { common } from "./common.ts";
import { pages } from "./pages.ts";
import { unsubscribe } from "./unsubscribe.ts";

export const en = { common, account, unsubscribe, pages } as const;
