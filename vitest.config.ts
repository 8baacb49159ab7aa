import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@\/(.*)$/, replacement: `${root}$1` },
      // `server-only` throws outside React Server Components; tests run the same modules on Node.
      { find: /^server-only$/, replacement: `${root}test/support/empty-module.ts` },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    // Browser tests build and start the app once; they run in their own file-level isolation.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
