import type { Translation } from "../types.ts";
import type { en } from "../en/index.ts";
import { account } from "./account.ts";
import { common } from "./common.ts";
import { data } from "./data.ts";
import { emails } from "./emails.ts";
import { footer } from "./footer.ts";
import { history } from "./history.ts";
import { pages } from "./pages.ts";
import { preferences } from "./preferences.ts";
import { unsubscribe } from "./unsubscribe.ts";

export const de: Translation<typeof en> = { account, common, data, emails, footer, history, pages, preferences, unsubscribe };
