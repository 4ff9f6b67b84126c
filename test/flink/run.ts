/**
 * `npm run test:flink -- --cases N [--seed S] [--examples K]`: the differential test against
 * Flink CEP by hand, on N seeded random cases (default 20,000). Prints the counts of agree /
 * differ / both reject / one rejects, then each class of difference with its count and up to K
 * examples (default 2), smallest first. Exits 1 when a case differs outside the differences
 * listed in docs/DSL.md section 8 (`expectedDifference`).
 */
import { parseArgs } from 'node:util';
import { generateCases } from './cases.js';
import { compareCase, describeCase, type Outcome } from './compare.js';
import { expectedDifference } from './expected.js';
import { runFlink, runOurs } from './sides.js';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '20000' }, seed: { type: 'string', default: '13' }, examples: { type: 'string', default: '2' } } });
const count = Number(values.cases);
const seed = Number(values.seed);
const examples = Number(values.examples);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed) || !Number.isInteger(examples) || examples < 0) {
  console.error('usage: npm run test:flink -- [--cases N] [--seed S] [--examples K]');
  process.exit(2);
}

const started = Date.now();
const cases = generateCases(seed, count);
const flink = await runFlink(cases);
const flinkMs = Date.now() - started;
const outcomes: Outcome[] = [];
for (let i = 0; i < cases.length; i++) outcomes.push(compareCase(cases[i], await runOurs(cases[i]), flink[i]));
const totals = new Map<string, number>();
const classes = new Map<string, Outcome[]>();
let unexpected = 0;
for (const o of outcomes) {
  totals.set(o.verdict, (totals.get(o.verdict) ?? 0) + 1);
  if (o.kind === undefined) continue;
  const listed = expectedDifference(o);
  if (listed === null) unexpected++;
  const name = `${o.verdict}: ${o.kind}${listed !== null ? ` [DSL.md section 8: ${listed}]` : ''}`;
  (classes.get(name) ?? classes.set(name, []).get(name))?.push(o);
}
console.log(`${count} cases, seed ${seed}, ${((Date.now() - started) / 1000).toFixed(1)} s (Flink side ${(flinkMs / 1000).toFixed(1)} s)`);
for (const verdict of ['agree', 'differ', 'both reject', 'one rejects']) console.log(`  ${verdict}: ${totals.get(verdict) ?? 0}`);
console.log(`  outside DSL.md section 8: ${unexpected}`);
const size = (o: Outcome): number => JSON.stringify(o.c.pattern).length + 20 * o.c.events.length;
for (const [name, list] of [...classes].sort((x, y) => y[1].length - x[1].length)) {
  console.log(`\n${name}: ${list.length}`);
  for (const o of [...list].sort((x, y) => size(x) - size(y)).slice(0, examples)) {
    console.log(`  case ${o.c.id}: ${o.detail ?? ''}`);
    console.log(describeCase(o.c).replace(/^/gm, '    '));
  }
}
process.exit(unexpected === 0 ? 0 : 1);
