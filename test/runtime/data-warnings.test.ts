/**
 * Warnings from the data (DSL.md section 7) and `cep check`'s alias warning (section 4), with their
 * exact text, on the recorded SSH log: a mistyped event type, field and alias each yield a warning
 * with the rule's file:line and a "did you mean" taken from the input; the counts in them are
 * counted again here by hand. A correct rule file yields none.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRules, rule, begin } from '../../src/dsl/index.js';
import type { Rule } from '../../src/nfa/rule.js';
import { compile } from '../../src/nfa/compiler.js';
import { usageOf } from '../../src/dsl/usage.js';
import { checkFiles } from '../../src/runtime/commands/check.js';
import { dataWarnings, FieldWatch, SeenTypes } from '../../src/runtime/data-warnings.js';
import { MAX_CANDIDATE_CHARS } from '../../src/dsl/suggest.js';
import { runEngine } from '../../src/runtime/engine.js';
import { NdjsonSource } from '../../src/runtime/sources/ndjson.js';
import { MemorySink } from './support/memory.js';

const SSH = 'examples/data/ssh-auth.ndjson';
const ssh = readFileSync(SSH, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const ofType = (type: string) => ssh.filter((e) => e.type === type).length;

const dir = mkdtempSync(join(tmpdir(), 'cep-warnings-'));

/** Writes `text` as a rule file and returns its path. */
function ruleFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Runs the rules over the SSH log; returns the alerts and the lines logged. */
async function run(rules: readonly Rule[]): Promise<{ alerts: number; log: string[] }> {
  const log: string[] = [];
  const sink = new MemorySink();
  await runEngine({ rules: rules.map((r) => compile(r)), sources: [new NdjsonSource(SSH)], sinks: [sink], log: (line) => log.push(line) });
  return { alerts: sink.alerts.length, log };
}

const fromFile = (path: string): Rule[] => parseRules(readFileSync(path, 'utf8'), path);

describe('warnings from the data', () => {
  it('a mistyped event type: never occurred, did you mean the type the input had', async () => {
    const file = ruleFile('type.cep', 'rule brute\n  key by ip\n  pattern auth_failur{5} as tries\n  within 1m\n');
    const { alerts, log } = await run(fromFile(file));
    expect(alerts).toBe(0);
    expect(log).toEqual([`cep: warning: ${file}:3: rule brute names event type 'auth_failur', which never occurred in the input; did you mean 'auth_failure'?`]);
  });

  it('a mistyped field: missing in every event of its type (counted), did you mean a field those events had', async () => {
    const file = ruleFile('field.cep', 'rule root_tries\n  key by ip\n  pattern auth_failure[usr == "root"]{3} as tries\n  within 10m\n');
    const { alerts, log } = await run(fromFile(file));
    expect(alerts).toBe(0);
    expect(ofType('auth_failure')).toBe(518);
    expect(log).toEqual([`cep: warning: ${file}:3: rule root_tries reads 'usr', which was missing in all 518 events of type auth_failure; did you mean 'user'?`]);
  });

  it('a mistyped key: missing in every event, did you mean a field the events had', async () => {
    const file = ruleFile('key.cep', 'rule brute\n  key by ipp\n  pattern auth_failure{5} as tries\n  within 1m\n');
    const { alerts, log } = await run(fromFile(file));
    expect(alerts).toBe(0);
    expect(log).toEqual([`cep: warning: ${file}:2: rule brute reads 'ipp', which was missing in all ${ssh.length.toLocaleString('en-US')} events; did you mean 'ip'?`]);
  });

  it('a mistyped alias: cep check warns with the line and a caret, and the run warns that the path was never there', async () => {
    const file = ruleFile('alias.cep', 'rule same_ip\n  key by user\n  pattern auth_failure as fail -> auth_success[fial.ip != ip] as ok\n');
    let out = '';
    expect(checkFiles([file], (t) => (out += t))).toBe(0);
    expect(out).toBe(
      `${file}:3:48: warning: 'fial' is not an alias, so fial.ip reads a field of the event under test; did you mean alias fail?\n` +
        '3 |   pattern auth_failure as fail -> auth_success[fial.ip != ip] as ok\n' +
        '  |                                                ^^^^\n' +
        `ok: 1 rule in ${file}\n`,
    );
    const { log } = await run(fromFile(file));
    expect(log).toEqual([`cep: warning: ${file}:3: rule same_ip reads 'fial.ip', which was missing in the 1 event of type auth_success`]);
  });

  it('a mistyped field of an alias in emit: did you mean, with the alias', async () => {
    const file = ruleFile('emit.cep', 'rule brute\n  key by ip\n  pattern auth_failure{5} as tries -> auth_failure as last\n  within 1m\n  emit { who: last.usr }\n');
    const { alerts, log } = await run(fromFile(file));
    expect(alerts).toBeGreaterThan(0);
    expect(log).toEqual([`cep: warning: ${file}:5: rule brute reads 'last.usr', which was missing in all 518 events of type auth_failure; did you mean 'last.user'?`]);
  });

  it('arithmetic on a string: the issue\'s `ts - time(o)` over the Olist orders (ts is ISO-8601 text), counted', async () => {
    const file = ruleFile('late.cep', 'rule late_payment\n  key by order_id\n  pattern order_placed as o -> payment_approved[ts - time(o) > 24h]\n');
    const log: string[] = [];
    const summary = await runEngine({ rules: fromFile(file).map((r) => compile(r)), sources: [new NdjsonSource('examples/data/olist-orders.ndjson')], sinks: [new MemorySink()], log: (line) => log.push(line) });
    expect(summary.alerts).toBe(0);
    // Payments whose order was placed before them in the file (sorted by time): each is tested once against its order.
    const placed = new Set<unknown>();
    let tested = 0;
    for (const line of readFileSync('examples/data/olist-orders.ndjson', 'utf8').trim().split('\n')) {
      const e = JSON.parse(line) as { type: string; order_id: string };
      if (e.type === 'order_placed') placed.add(e.order_id);
      else if (e.type === 'payment_approved' && placed.has(e.order_id)) tested++;
    }
    expect(tested).toBe(9978);
    expect(log).toEqual([`cep: warning: ${file}:3: rule late_payment: 'ts - time(o)' could not be computed in 9,978 evaluations ('-' on a string and a number gives null)`]);
  });

  it('conditions that failed to evaluate are counted per rule, at the rule\'s line', async () => {
    // A function condition that throws where `user` is missing: on every disconnect event.
    const throwing = rule('fragile').keyBy('ip').pattern(begin('disconnect', { where: (e) => (e.data.user as string).length > 3 })).build();
    const { log } = await run([throwing]);
    const failed = ssh.filter((e) => e.type === 'disconnect' && typeof e.user !== 'string').length;
    expect(failed).toBeGreaterThan(0);
    expect(log).toEqual([`cep: warning: <builder:fragile>:1: rule fragile: ${failed} condition evaluations failed (counted as false)`]);
  });

  it('the bundled SSH rules over their data: no warning', async () => {
    const { alerts, log } = await run(fromFile('examples/rules/ssh.cep'));
    expect(alerts).toBe(180);
    expect(log).toEqual([]);
  });
});

describe('long names from the input', () => {
  it('types and field names over 128 characters are not kept for suggestions, unless a rule names the type (150 types of 10 MB kept 2 GB and took 84 s)', () => {
    const long = (i: number) => `${'t'.repeat(20_000)}${i}`;
    const types = new SeenTypes(new Set([long(0)]));
    for (let i = 0; i < 3; i++) types.note(long(i));
    types.note('t'.repeat(MAX_CANDIDATE_CHARS));
    expect([...types.values()].map((t) => t.length)).toEqual([20_001, MAX_CANDIDATE_CHARS]);
    expect(types.has(long(0))).toBe(true);

    const nfa = compile(parseRules('rule r key by k pattern a[amout > 1]', 'long.cep')[0]);
    new FieldWatch([nfa]).check('a', { [long(1)]: 1, amount: 2, [long(2)]: 3 });
    expect([...(usageOf(nfa.rule)?.fields[0].nearby ?? [])]).toEqual(['amount']);
    const warnings = dataWarnings([nfa], types).join('\n');
    expect(warnings).toContain("rule r reads 'amout', which was missing in the 1 event of type a; did you mean 'amount'?");
    expect(warnings).not.toContain('tttt');
  });
});
