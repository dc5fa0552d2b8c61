import type { Browser } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { httpClient } from "./accounts-http.ts";
import { openAppDatabase } from "./app-database.ts";
import { startApp, type RunningApp } from "./app-server.ts";
import { launchBrowser } from "./browser.ts";

// The setup every HTTP and browser test file shares: the production build started once for the
// file, its database, an HTTP client and (when asked) Chromium, all stopped after the last test.

export type AppDatabase = ReturnType<typeof openAppDatabase>;
export type HttpClient = ReturnType<typeof httpClient>;

type Parts = { app: RunningApp; appDb: AppDatabase; http: HttpClient; browser: Browser };

/**
 * Registers the file's first beforeAll (start) and last afterAll (stop). The parts it returns
 * can be named at the top of the file and used in hooks and tests once started; the file's own
 * beforeAll runs after this one, so it may sign in or add rows.
 */
export function useRunningApp(options: { env?: Record<string, string>; browser?: boolean } = {}): Parts {
  const started: Partial<Parts> = {};
  beforeAll(async () => {
    const [app, browser] = await Promise.all([startApp({ env: options.env }), options.browser ? launchBrowser() : undefined]);
    Object.assign(started, { app, browser, appDb: openAppDatabase(app), http: httpClient(app) });
  });
  afterAll(async () => {
    await started.appDb?.close();
    await started.browser?.close();
    await started.app?.stop();
  });
  return {
    app: startedPart(started, "app"),
    appDb: startedPart(started, "appDb"),
    http: startedPart(started, "http"),
    browser: startedPart(started, "browser"),
  };
}

/** Stands for a part that exists only once beforeAll has run: every property is read from it then. */
function startedPart<Name extends keyof Parts>(started: Partial<Parts>, name: Name): Parts[Name] {
  const part = () => {
    const value = started[name];
    if (!value) throw new Error(`The ${name} is not started: use it inside a hook or a test${name === "browser" ? ", and ask for it with useRunningApp({ browser: true })" : ""}`);
    return value;
  };
  return new Proxy({} as Parts[Name], {
    get(_, key) {
      const target = part();
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
    has: (_, key) => Reflect.has(part(), key),
  });
}
