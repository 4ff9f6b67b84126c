import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

const timeouts = { testTimeout: 30_000, hookTimeout: 180_000 };
// Long runs (`*.long.test.ts`: the 10-million-event memory bound) are left out of `npm test`;
// `npm run test:long` runs them.
const long = process.env.CEP_LONG === '1' ? [] : ['**/*.long.test.ts'];
// Both projects share one pool: equal `maxWorkers` and the default `sequence.groupOrder` put them in one
// group, where the pool takes core files first (Vitest orders by project name), then the live ones; a
// project with `fileParallelism: false` or another group order would run after the other instead. Most
// files mostly wait: core ones on the processes they spawn (the CLI, the Flink driver), live ones on the
// broker, the browser and their producers' pace. So the live files run beside the last core files and
// beside each other, and the broker starts in the background while the core files run
// (test/live/global-setup.ts). Vitest's default is one worker fewer than the cores, a single one on a
// 2-core machine; at least three.
const workers = Math.max(3, availableParallelism() - 1);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    ...timeouts,
    // Two projects so that the Kafka broker (test/live/global-setup.ts) starts only when live tests run:
    // Vitest runs a project's globalSetup only if that project has test files in the run. The projects
    // do not `extends: true`, which would merge the root `include` into theirs.
    projects: [
      { test: { name: 'core', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/live/**', ...long], maxWorkers: workers, ...timeouts } },
      {
        test: {
          name: 'live',
          include: ['test/live/**/*.test.ts'],
          globalSetup: ['test/live/global-setup.ts'],
          setupFiles: ['test/live/setup-broker.ts', 'test/live/setup-kafkajs.ts'],
          maxWorkers: workers,
          ...timeouts,
        },
      },
    ],
  },
});
