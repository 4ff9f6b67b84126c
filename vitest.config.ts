import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    // Two projects so that the Kafka broker (test/live/global-setup.ts) starts only when live tests run:
    // Vitest runs a project's globalSetup only if that project has test files in the run.
    projects: [
      { extends: true, test: { name: 'core', exclude: [...configDefaults.exclude, 'test/live/**'] } },
      {
        extends: true,
        test: {
          name: 'live',
          include: ['test/live/**/*.test.ts'],
          globalSetup: ['test/live/global-setup.ts'],
          // Broker, browser and sockets share two cores: one live file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
