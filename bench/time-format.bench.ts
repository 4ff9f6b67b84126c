/**
 * The cost of `--time-format` (issue 17): ns to read one event time, over the 9,999 purchase times
 * of the raw Olist CSV (examples/data/raw/olist_orders_dataset.csv, `M/d/yyyy H:mm`, nearly all
 * distinct), best of 9 runs after a warm-up, for:
 * - the default reader on the same instants written as ISO-8601 (what NDJSON input pays);
 * - `timeFormatReader` (src/runtime/time.ts: luxon, its format parser built once);
 * - luxon `DateTime.fromFormat` (the format parsed again for each text);
 * - date-fns `parse` with a UTC reference date: only when installed in a scratch directory, never in
 *   this repository: `mkdir /tmp/dtbench && cd /tmp/dtbench && npm init -y && npm i date-fns @date-fns/utc`,
 *   then `DATE_CANDIDATES=/tmp/dtbench npm run bench -- time-format`.
 * Each candidate's times must equal the by-hand reading (`Date.UTC` of the split text).
 *
 * Prints a Markdown table and writes bench/results/time-format.json. Run: `npm run bench -- time-format`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { DEFAULT_TIME_READER, timeFormatReader } from '../src/runtime/time.js';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = 9;
const FORMAT = 'M/d/yyyy H:mm';

const texts = readFileSync(join(here, '../examples/data/raw/olist_orders_dataset.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',')[3]);
const byHand = texts.map((text) => {
  const [m, d, y, h, min] = text.split(/[/ :]/).map(Number);
  return Date.UTC(y, m - 1, d, h, min);
});
const iso = byHand.map((t) => new Date(t).toISOString());

/** Best ns per call of `read` over `inputs`, after checking its results. */
function measure(name: string, inputs: readonly string[], read: (text: string) => number): { name: string; ns: number } {
  const got = inputs.map(read);
  const wrong = got.findIndex((t, i) => t !== byHand[i]);
  if (wrong >= 0) throw new Error(`${name}: ${inputs[wrong]} read as ${got[wrong]}, not ${byHand[wrong]}`);
  let best = Infinity;
  let sink = 0;
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    for (const text of inputs) sink += read(text);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / inputs.length);
  }
  if (sink === 0) throw new Error('nothing read');
  return { name, ns: Math.round(best) };
}

const ours = await timeFormatReader(FORMAT);
const rows = [
  measure('default reader, ISO-8601 text', iso, DEFAULT_TIME_READER.read),
  measure(`timeFormatReader('${FORMAT}') (luxon, parser built once)`, texts, ours.read),
  measure('luxon DateTime.fromFormat per text', texts, (t) => DateTime.fromFormat(t, FORMAT, { zone: 'utc' }).toMillis()),
];
const scratchDir = process.env.DATE_CANDIDATES;
if (scratchDir !== undefined) {
  const scratch = createRequire(join(scratchDir, 'package.json'));
  const { parse } = scratch('date-fns') as { parse: (text: string, format: string, reference: Date) => Date };
  const { UTCDate } = scratch('@date-fns/utc') as { UTCDate: new (ms: number) => Date };
  const reference = new UTCDate(0);
  rows.push(measure('date-fns parse (UTCDate reference)', texts, (t) => parse(t, FORMAT, reference).getTime()));
}

console.log(`\n${texts.length.toLocaleString('en-US')} event times, best of ${RUNS}; ${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}\n`);
console.log('| reader | ns per event time |\n|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.ns.toLocaleString('en-US')} |`);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results/time-format.json'), JSON.stringify({ events: texts.length, runs: RUNS, load: loadavg()[0], rows }, null, 2));
