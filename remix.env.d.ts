/// <reference types="@remix-run/dev" />
/// <reference types="@remix-run/node" />
import "@remix-run/node";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
  /** Filled by the Express server (scripts/start.ts) for every request. */
  interface AppLoadContext {
    /** The client's IP address, for the consent ledger and rate limits. */
    ip?: string;
  }
}
