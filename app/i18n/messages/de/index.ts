import type { Translation } from "../types.ts";
import type { en } from "../en/index.ts";
import { account } from "./account.ts";
import { common } from "./common.ts";
import { pages } from "./pages.ts";
import { unsubscribe } from "./unsubscribe.ts";

export const de: Translation<typeof en> = { common, account, unsubscribe, pages };
