import { defineConfig } from 'vitest/config';

// Two projects: `core` (pure, in-memory, fast) and `integration` (official SDKs against the local stack,
// started once per run by the global setup). `npm test` runs both.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'core',
          include: ['test/unit/**/*.test.ts', 'test/property/**/*.test.ts'],
        },
      },
    ],
  },
});
