/**
 * `npm run test:flink -- --cases N [--seed S] [--examples K] [--case ID]`: the differential test
 * against Flink CEP by hand, on N seeded random cases (default 20,000), or on case ID alone.
 * `--build` only builds the Java driver (scripts/ensure-test-deps.sh runs that once). Prints the counts of agree /
 * differ / both reject / one rejects, then each class of difference with its count and up to K
 * examples (default 2), smallest first. Exits 1 when a case differs outside the differences
 * listed in docs/DSL.md section 8 (`expectedDifference`).
 */
import { parseArgs } from 'node:util';
import { generateCase, generateCases, type Case } from './cases.js';
import { compareCase, describeCase, type Outcome } from './compare.js';
import { expectedDifference } from './expected.js';
import { buildDriver, runFlink, runOurs, typeFilterChanges, type SideResult } from './sides.js';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '20000' }, seed: { type: 'string', default: '13' }, examples: { type: 'string', default: '2' }, case: { type: 'string' }, build: { type: 'boolean', default: false } } });
if (values.build) {
  buildDriver();
  process.exit(0);
}
const count = Number(values.cases);
const seed = Number(values.seed);
const examples = Number(values.examples);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed) || !Number.isInteger(examples) || examples < 0) {
  console.error('usage: npm run test:flink -- [--cases N] [--seed S] [--examples K]');
  process.exit(2);
}

const started = Date.now();
const cases = values.case === undefined ? generateCases(seed, count) : [generateCase(seed, Number(values.case))];
const flink = await runFlink(cases);
const flinkMs = Date.now() - started;
const outcomes: Outcome[] = [];
// Each case also runs without the rule's type filter: an optimisation, whose matches must be the same.
const filterChanged: Case[] = [];
for (let i = 0; i < cases.length; i++) {
  const ours = await runOurs(cases[i]);
  outcomes.push(compareCase(cases[i], ours, flink[i]));
  if (await typeFilterChanges(cases[i], ours)) filterChanged.push(cases[i]);
}
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
if (values.case !== undefined) {
  console.log(describeCase(cases[0]));
  const show = (name: string, r: SideResult): void => {
    console.log(`${name}: ${r.status}${r.status === 'ok' ? '' : ` ${r.error}`}`);
    if (r.status === 'ok') for (const m of r.matches) console.log(`  ${m.kind} k${m.key} ${JSON.stringify(m.events)}`);
  };
  show('ours', await runOurs(cases[0]));
  show('Flink', flink[0]);
  const f = flink[0];
  if (f.status === 'ok') show('Flink, each deadline at its time', { status: 'ok', matches: f.deadlineMatches ?? [] });
}
console.log(`${cases.length} cases, seed ${seed}, ${((Date.now() - started) / 1000).toFixed(1)} s (Flink side ${(flinkMs / 1000).toFixed(1)} s)`);
for (const verdict of ['agree', 'differ', 'both reject', 'one rejects']) console.log(`  ${verdict}: ${totals.get(verdict) ?? 0}`);
console.log(`  outside DSL.md section 8: ${unexpected}`);
console.log(`  matches changed by the type filter: ${filterChanged.length}`);
for (const c of filterChanged.slice(0, examples)) console.log(`  case ${c.id}:\n${describeCase(c).replace(/^/gm, '    ')}`);
const size = (o: Outcome): number => JSON.stringify(o.c.pattern).length + 20 * o.c.events.length;
for (const [name, list] of [...classes].sort((x, y) => y[1].length - x[1].length)) {
  console.log(`\n${name}: ${list.length}`);
  for (const o of [...list].sort((x, y) => size(x) - size(y)).slice(0, examples)) {
    console.log(`  case ${o.c.id}: ${o.detail ?? ''}`);
    console.log(describeCase(o.c).replace(/^/gm, '    '));
  }
}
process.exit(unexpected === 0 && filterChanged.length === 0 ? 0 : 1);
