// English, the source text. One file per area, so people working on different pages do not edit the same file.
import { common } from "./common.ts";
import { data } from "./data.ts";
import { emails } from "./emails.ts";
import { footer } from "./footer.ts";
import { preferences } from "./preferences.ts";

export const en = { common, data, emails, footer, preferences } as const;
