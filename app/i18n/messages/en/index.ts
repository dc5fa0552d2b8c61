// English, the source text. One file per area, so people working on different pages do not edit the same file.
import { common } from "./common.ts";
import { preferences } from "./preferences.ts";

export const en = { common, preferences } as const;
