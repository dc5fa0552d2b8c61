import type { Translation } from "../types.ts";
import type { en } from "../en/index.ts";
import { common } from "./common.ts";
import { preferences } from "./preferences.ts";

export const de: Translation<typeof en> = { common, preferences };
