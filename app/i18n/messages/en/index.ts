// English, the source text. One file per area, so people working on different pages do not edit the same file.
import { account } from "./account.ts";
import { common } from "./common.ts";
import { data } from "./data.ts";
import { emails } from "./emails.ts";
import { footer } from "./footer.ts";
import { history } from "./history.ts";
import { pages } from "./pages.ts";
import { preferences } from "./preferences.ts";
import { unsubscribe } from "./unsubscribe.ts";

export const en = { account, common, data, emails, footer, history, pages, preferences, unsubscribe } as const;
