import "i18next";
import type { en } from "./messages/en/index.ts";

// Keys are typed from the English messages: a misspelt key fails `tsc`.
declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    resources: { translation: typeof en };
  }
}
