/**
 * Fuzzing the front end: 100,000 seeded, reproducible rule texts (valid rules mutated by deleting,
 * duplicating, swapping and inserting tokens and characters, plus random token soups). For every
 * one, `parseRules` either returns rules or throws `RuleErrors` whose errors point inside the
 * text; nothing else is ever thrown, and no parse hangs. Rules that do check are run on recorded
 * events with odd bindings: their compiled closures must not throw either.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRules, RuleErrors } from '../../src/dsl/index.js';
import { lexer } from '../../src/dsl/lexer.js';
import type { CepEvent } from '../../src/nfa/event.js';
import type { Bindings, Condition, Pattern, Rule } from '../../src/nfa/rule.js';
import { loadEvents } from './helpers.js';

const CASES = 100_000;
const SEED = 0x5eed;

/** mulberry32: a small seeded PRNG, so a failure can be replayed from its case number. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The rules of examples/rules/*.cep, one text per rule (short seeds keep 100,000 cases fast). */
const examples = readdirSync(new URL('../../examples/rules/', import.meta.url))
  .filter((f) => f.endsWith('.cep'))
  .flatMap((f) => readFileSync(new URL(`../../examples/rules/${f}`, import.meta.url), 'utf8').split(/^(?=rule )/m))
  .filter((text) => text.startsWith('rule '));

/** Valid single rules covering the whole language (the seeds of the mutations). */
const SEEDS: string[] = [
  'rule card_testing severity high key by card_id pattern txn[amount < 2]{3,} as probes -> txn[amount > 500] as big within 10m emit { card: big.card_id, probes: count(probes), amount: big.amount }',
  'rule unpaid_order key by order_id pattern order_placed as o -> not payment_approved within 24h emit { order: o.order_id, placed: o.ts }',
  'rule a severity low key by x, y.z pattern a next b ->> c -> d skip to next',
  'rule b key by x pattern a -> not b within 1h30m skip none on timeout emit { t: time(a) }',
  'rule c key by x pattern a* as s -> b? -> c{2} -> d{2,} -> e{2,5} optional consecutive as e5 -> f skip to last s',
  'rule d key by x pattern a{2,} combinations until [v > avg(s.v)] as s -> b[v > max(s.v)] skip to first s',
  'rule e key by x pattern (a -> b){2,3} as g -> (c next d)+ optional -> e emit { n: count(g) }',
  'rule f key by x pattern any[v == 1 or "x" in tags] -> any[not (w != null) and x.y[-1] % 2 == 0] as z',
  'rule g key by x pattern "order-placed"[`not` == 1] -> `weird type` as w next not q',
  'rule h key by ip pattern auth_failure+ greedy as f -> auth_success[user in f.user and time(f[-1]) - time(f[0]) < 5m]',
  'rule i key by x pattern a[matches(lower(u), "^r.*") and exists(p.q) and starts_with(s, "a") and abs(-n) >= round(m, 1)] as a1',
  ...examples,
];

/** The seeds' tokens plus some extra words, for token-level mutations and soups. */
function tokensOf(source: string): string[] {
  lexer.reset(source);
  const out: string[] = [];
  for (let t = lexer.next(); t !== undefined; t = lexer.next()) out.push(t.text);
  return out;
}
const SEED_TOKENS = SEEDS.map(tokensOf);
const VOCABULARY = [...new Set([...SEED_TOKENS.flat(), '(', ')', '{', '}', '[', ']', ',', '.', '-', 'not', 'in', '->', '->>', 'next', '?', '*', '+', '0', '-1', '1e9', '""', "'", '"', '`', '#', '//', '\n', 'null', '9999999999999999999', '0ms'])];
const CHARS = 'abz_019 \n\t()[]{}<>=!+-*/%.,:?#"\'`@$\\ä→';

function mutate(random: () => number, caseNumber: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const kind = caseNumber % 4;
  if (kind === 3) {
    // token soup, sometimes starting like a rule
    const n = 1 + Math.floor(random() * 30);
    const soup = Array.from({ length: n }, () => pick(VOCABULARY));
    return (random() < 0.5 ? 'rule r key by k pattern ' : '') + soup.join(' ');
  }
  const seedIndex = Math.floor(random() * SEEDS.length);
  if (kind === 0 || kind === 1) {
    const tokens = [...SEED_TOKENS[seedIndex]];
    const edits = 1 + Math.floor(random() * 3);
    for (let e = 0; e < edits && tokens.length > 0; e++) {
      const i = Math.floor(random() * tokens.length);
      const op = random();
      if (op < 0.3) tokens.splice(i, 1);
      else if (op < 0.5) tokens.splice(i, 0, tokens[i]);
      else if (op < 0.75) {
        const j = Math.floor(random() * tokens.length);
        [tokens[i], tokens[j]] = [tokens[j], tokens[i]];
      } else tokens.splice(i, 0, pick(VOCABULARY));
    }
    return tokens.join(random() < 0.8 ? ' ' : '\n');
  }
  let text = SEEDS[seedIndex];
  const edits = 1 + Math.floor(random() * 4);
  for (let e = 0; e < edits; e++) {
    const i = Math.floor(random() * (text.length + 1));
    const op = random();
    if (op < 0.35) text = text.slice(0, i) + text.slice(i + 1);
    else if (op < 0.55) text = text.slice(0, i) + text.slice(i, i + 3) + text.slice(i);
    else if (op < 0.7 && i + 1 < text.length) text = text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2);
    else text = text.slice(0, i) + pick([...CHARS]) + text.slice(i);
  }
  return text;
}

const events = loadEvents('ssh-auth.ndjson', 40);

/** Bindings where every alias has a few recorded events (or none, for every third alias). */
function oddBindings(random: () => number): Bindings {
  const table = new Map<string, CepEvent[]>();
  return {
    events: (alias) => {
      if (!table.has(alias)) table.set(alias, random() < 0.33 ? [] : events.slice(Math.floor(random() * 30), 30 + Math.floor(random() * 10)));
      return table.get(alias)!;
    },
  };
}

/** Every condition of a pattern, groups and `until` included. */
function conditionsOf(pattern: Pattern): Condition[] {
  return pattern.elements.flatMap((e) => [
    ...(e.atom.kind === 'group' ? conditionsOf(e.atom.pattern) : e.atom.condition ? [e.atom.condition] : []),
    ...(e.quantifier?.until ? [e.quantifier.until] : []),
  ]);
}

function exercise(rules: Rule[], random: () => number): void {
  for (const rule of rules) {
    const bindings = oddBindings(random);
    for (const c of conditionsOf(rule.pattern)) for (const e of events.slice(0, 5)) expect(typeof c.test(e, bindings)).toBe('boolean');
    for (const f of [...rule.emit, ...(rule.onTimeout ?? [])]) f.value(bindings);
  }
}

describe('fuzz', () => {
  it(`${CASES.toLocaleString('en')} mutated and random rule texts: only located RuleErrors, no hang`, () => {
    const random = prng(SEED);
    let accepted = 0;
    let rejected = 0;
    let slowest = 0;
    for (let n = 0; n < CASES; n++) {
      const source = mutate(random, n);
      const started = process.cpuUsage();
      try {
        const rules = parseRules(source, 'fuzz.cep');
        accepted++;
        if (accepted % 10 === 0) exercise(rules, random);
      } catch (error) {
        if (!(error instanceof RuleErrors)) throw new Error(`case ${n}: ${String(error)}\n--- input ---\n${source}`, { cause: error });
        rejected++;
        const lines = source.split(/\r?\n/).length;
        for (const e of error.errors) {
          if (!(e.line >= 1 && e.line <= lines && e.col >= 1)) throw new Error(`case ${n}: error outside the text: ${e.format()}\n--- input ---\n${source}`);
        }
        if (n % 50 === 0) expect(error.format()).toMatch(/^fuzz\.cep:\d+:\d+: /);
      }
      const used = process.cpuUsage(started);
      slowest = Math.max(slowest, (used.user + used.system) / 1000);
    }
    // A hang guard on CPU time (wall time depends on what else runs), not a speed measurement
    // (bench/parse.bench.ts measures speed).
    expect(slowest).toBeLessThan(1000);
    expect(accepted + rejected).toBe(CASES);
    // Mutations of valid rules must keep some valid: otherwise the fuzzer exercises only the first error path.
    expect(accepted).toBeGreaterThan(CASES / 50);
    expect(rejected).toBeGreaterThan(CASES / 2);
  }, 180_000);
});
