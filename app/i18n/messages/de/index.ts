import type { Translation } from "../types.ts";
import type { en } from "../en/index.ts";
import { common } from "./common.ts";
import { data } from "./data.ts";
import { emails } from "./emails.ts";
import { footer } from "./footer.ts";
import { preferences } from "./preferences.ts";

export const de: Translation<typeof en> = { common, data, emails, footer, preferences };
