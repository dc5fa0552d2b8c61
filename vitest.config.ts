import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "~emails": path.resolve("emails"),
      "~": path.resolve("app"),
    },
  },
  test: {
    // Each test file gets its own fresh SQLite database copied from a migrated base file.
    globalSetup: ["tests/helpers/global-setup.ts"],
    setupFiles: ["tests/helpers/fresh-database.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: "unit+integration", include: ["app/**/*.test.{ts,tsx}", "emails/**/*.test.{ts,tsx}", "tests/integration/**/*.test.{ts,tsx}"] },
      },
      {
        extends: true,
        // Browser tests drive the production build in Debian's Chromium; scripts/test.ts builds first.
        test: { name: "e2e", include: ["tests/e2e/**/*.test.ts"], fileParallelism: false },
      },
    ],
  },
});
