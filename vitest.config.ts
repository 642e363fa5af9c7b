import { defineConfig } from 'vitest/config';

// Three projects: `core` (pure, in-memory, and the Terraform checks; fast), `integration` (official SDKs against the
// local stack, started once per run by the global setup) and `report` (the HTML report in headless Chromium).
// `npm test` runs all three.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'core',
          // One fast-check seed for every property test: the same cases on every run (FC_SEED to explore).
          setupFiles: ['test/setup/fast-check.ts'],
          include: ['test/unit/**/*.test.ts', 'test/property/**/*.test.ts', 'test/infra/**/*.test.ts'],
          // Property tests run hundreds of cases; time is not what they assert (speed lives in `npm run bench`).
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Starts the six servers once per run (or reads TRICLOUD_ENV_FILE in live mode) and provides the env.
          globalSetup: ['test/setup/local-stack.ts'],
          // One file at a time: each runs the trigger hosts that consume the shared queues, and the 2-core
          // machine also runs the emulators.
          fileParallelism: false,
          // Two Java emulators on a 2-core machine: starting can take tens of seconds, a test's polling too.
          hookTimeout: 120_000,
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'report',
          include: ['test/report/**/*.test.ts'],
          // Finds headless Chromium, installing Debian's package when missing (CI runs as root).
          globalSetup: ['test/setup/chromium.ts'],
          // Each screenshot starts a browser; on a loaded 2-core machine that can take a while.
          testTimeout: 120_000,
        },
      },
    ],
  },
});
