/**
 * `npm run bench`: runs every `bench/*.bench.ts` in its own Node process (so that peak memory is
 * measured per suite), in name order. Each suite prints its own table and writes its JSON to
 * `bench/results/`. Arguments are passed through; `npm run bench -- matcher` runs only suites
 * whose file name contains `matcher`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const suites = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

let failed = 0;
for (const suite of suites) {
  process.stdout.write(`\n== ${suite} ==\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(here, suite)], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    process.stdout.write(`${suite} failed with exit code ${result.status}\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
