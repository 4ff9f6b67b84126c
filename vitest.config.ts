import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

const timeouts = { testTimeout: 30_000, hookTimeout: 180_000 };
// Long runs (`*.long.test.ts`: the 10-million-event memory bound) are left out of `npm test`;
// `npm run test:long` runs them.
const long = process.env.CEP_LONG === '1' ? [] : ['**/*.long.test.ts'];
// Vitest's default is one worker fewer than the cores: a single worker on a 2-core machine, where
// the core files mostly wait on the child processes they spawn (the CLI, the Flink driver).
const coreWorkers = Math.max(2, availableParallelism() - 1);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    ...timeouts,
    // Two projects so that the Kafka broker (test/live/global-setup.ts) starts only when live tests run:
    // Vitest runs a project's globalSetup only if that project has test files in the run. The projects
    // do not `extends: true`, which would merge the root `include` into theirs.
    projects: [
      { test: { name: 'core', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/live/**', ...long], maxWorkers: coreWorkers, ...timeouts } },
      {
        test: {
          name: 'live',
          include: ['test/live/**/*.test.ts'],
          globalSetup: ['test/live/global-setup.ts'],
          setupFiles: ['test/live/setup-broker.ts', 'test/live/setup-kafkajs.ts'],
          // Broker, browser and sockets share two cores: one live file at a time.
          fileParallelism: false,
          ...timeouts,
        },
      },
    ],
  },
});
