/**
 * Fuzzing the front end (issue 12): seeded, reproducible rule texts of two kinds.
 * - Mutated and random texts: valid rules (the seeds below and examples/rules) with tokens and
 *   characters deleted, duplicated, swapped and inserted, plus random token soups.
 * - Deep or long texts (hostile.ts-style, made up here): nesting around and far past the limit
 *   (parentheses, `not`, `-`, brackets, calls, groups), chains of thousands of elements, operands,
 *   steps, paths, fields and items, tokens of up to 100,000 characters, counts up to 10^400.
 *
 * Every text must either parse, check and compile (`parseRules` then `compile` of each rule, whose
 * conditions and emit values are then run on recorded events without throwing), or throw
 * `RuleErrors` whose every error lies inside the text (line and column of a character of it, or
 * just after its last character) and renders as `fuzz.cep:line:col: message`. Any other exception,
 * or an input that takes a second of CPU or more, fails the test with the case number and the input.
 *
 * The default run is small (a few seconds). The large run, `CEP_FUZZ=large npx vitest run
 * test/dsl/fuzz.test.ts`, checks 100,000 mutated and random texts and 2,000 deep or long ones.
 */
import { prng } from '../support/prng.js';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRules, RuleErrors } from '../../src/dsl/index.js';
import { lexer } from '../../src/dsl/lexer.js';
import { MAX_NESTING } from '../../src/dsl/limits.js';
import { compile } from '../../src/nfa/compiler.js';
import type { CepEvent } from '../../src/nfa/event.js';
import type { Bindings, Condition, Pattern, Rule } from '../../src/nfa/rule.js';
import { loadEvents } from './helpers.js';

const LARGE = process.env.CEP_FUZZ === 'large';
/** Mutated and random texts. */
const CASES = LARGE ? 100_000 : 3_000;
/** Deep or long texts. */
const HOSTILE = LARGE ? 2_000 : 40;
const SEED = 0x5eed;


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

/** A whole number in [low, high]. */
function between(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

function pickOne<T>(random: () => number, xs: readonly T[]): T {
  return xs[Math.floor(random() * xs.length)];
}

/** A nesting depth: around the limit, anywhere below it, or far past it. */
function depth(random: () => number): number {
  const r = random();
  if (r < 0.4) return between(random, MAX_NESTING - 6, MAX_NESTING + 4);
  if (r < 0.7) return between(random, 1, MAX_NESTING);
  return between(random, MAX_NESTING + 1, 10_000);
}

/** A length for chains and tokens, up to `max`, often small, sometimes large. */
function length(random: () => number, max: number): number {
  return Math.max(1, Math.floor(max ** random()));
}

/** A level of expression nesting: what opens it and what closes it. */
type Level = readonly [string, string];

/**
 * Families of nesting that keep a condition well typed (so that deep texts also reach the checker
 * and the compiler, not only the type errors): levels that may wrap one another, the innermost
 * expression, and how the nest becomes a condition. `mixed` mixes every level (mostly type errors).
 */
const FAMILIES: readonly { levels: readonly Level[]; core: string; condition: (nest: string) => string }[] = [
  { levels: [['(', ')'], ['not ', ''], ['not (', ')']], core: 'x > 1', condition: (nest) => nest },
  { levels: [['(', ')'], ['- ', ''], ['abs(', ')'], ['round(', ', 1)']], core: 'x', condition: (nest) => `${nest} > 1` },
  { levels: [['[', ']']], core: '1', condition: (nest) => `x in ${nest}` },
  { levels: [['x[', ']']], core: '0', condition: (nest) => `${nest} == 1` },
  { levels: [['(', ')'], ['not ', ''], ['- ', ''], ['[', ']'], ['abs(', ')'], ['x[', ']'], ['not (', ')'], ['len([', '])']], core: 'x', condition: (nest) => nest },
];

/** `levels` nested levels of one family around its core, as a condition. */
function nestedCondition(random: () => number, levels: number): string {
  const family = pickOne(random, FAMILIES);
  const chosen = Array.from({ length: levels }, () => pickOne(random, family.levels));
  return family.condition(`${chosen.map((l) => l[0]).join('')}${family.core}${chosen.map((l) => l[1]).reverse().join('')}`);
}

/** `levels` nested levels around a value in `emit` (any type will do there). */
function nestedValue(random: () => number, levels: number): string {
  const kinds: readonly Level[] = [['(', ')'], ['- ', ''], ['[', ']'], ['abs(', ')'], ['len([', '])'], ['round(', ', 2)']];
  const chosen = Array.from({ length: levels }, () => pickOne(random, kinds));
  return `${chosen.map((l) => l[0]).join('')}s.v${chosen.map((l) => l[1]).reverse().join('')}`;
}

/** Quantifiers of nested groups: mostly none or `?`, as each `+` or `{2}` doubles the automaton. */
function groupQuantifier(random: () => number): string {
  const r = random();
  return r < 0.6 ? '' : r < 0.97 ? '?' : pickOne(random, ['+', '{2}', '*', '{0,2}']);
}
const ELEMENTS = ['a', 'b[x > 1]', 'not c', 'd?', 'e+', 'f{2}', '(g -> h)', 'any[y == "z"]', 'i{0,3}', '`q w`'];
const OPS = [' -> ', ' ->> ', ' next '];
const COUNTS = ['0', '1', '2', '10', '100', '999', '9999', '10000', '10001', '65536', '10000000', '1e400', '1.5'];

/**
 * The kinds of deep or long texts; each makes one from the PRNG. Most are deep or long; `counts`
 * is neither, but aims at the same limits (quantifier counts and the automaton's size).
 */
const HOSTILE_KINDS: Readonly<Record<string, (random: () => number) => string>> = {
  'nested condition': (r) => `rule r key by k pattern a[${nestedCondition(r, depth(r))}] -> b`,
  'nested emit': (r) => `rule r key by k pattern a as s emit { v: ${nestedValue(r, depth(r))} }`,
  'nested until': (r) => `rule r key by k pattern a+ until [${nestedCondition(r, depth(r))}] as s -> b`,
  'nested groups': (r) => {
    const d = depth(r);
    const closes = Array.from({ length: d }, () => `)${groupQuantifier(r)}`).join('');
    return `rule r key by k pattern x -> ${'('.repeat(d)}a -> b${closes} -> y within 1m`;
  },
  'long pattern': (r) => {
    const n = length(r, 4000);
    const parts = [pickOne(r, ELEMENTS.filter((e) => !e.startsWith('not')))];
    for (let i = 1; i < n; i++) parts.push(pickOne(r, OPS), pickOne(r, ELEMENTS));
    return `rule r key by k pattern ${parts.join('')} within 1h`;
  },
  'long or/and chain': (r) => `rule r key by k pattern a[${Array.from({ length: length(r, 5000) }, (_, i) => `x ${pickOne(r, ['==', '>', '<', 'in'])} ${i}`).join(` ${pickOne(r, ['or', 'and'])} `)}]`,
  'long arithmetic chain': (r) => `rule r key by k pattern a[x${Array.from({ length: length(r, 5000) }, () => ` ${pickOne(r, ['+', '-', '*', '/', '%'])} ${between(r, 0, 9)}`).join('')} > 0]`,
  'long access chain': (r) => `rule r key by k pattern a+ as s -> b[s${Array.from({ length: length(r, 5000) }, () => pickOne(r, ['.f', '[0]', '[-1]', '.`g h`'])).join('')} == 1]`,
  'long key by': (r) => `rule r key by ${Array.from({ length: length(r, 5000) }, (_, i) => `k${i}.z`).join(', ')} pattern a`,
  'long emit': (r) => `rule r key by k pattern a as s emit { ${Array.from({ length: length(r, 3000) }, (_, i) => `f${i}: s.v${i}`).join(', ')} }`,
  'long list': (r) => `rule r key by k pattern a[x in [${Array.from({ length: length(r, 20_000) }, (_, i) => (i % 2 === 0 ? `${i}` : `"s${i}"`)).join(', ')}]]`,
  'long arguments': (r) => `rule r key by k pattern a[${pickOne(r, ['contains', 'round', 'matches', 'exists', 'nope'])}(${Array.from({ length: length(r, 3000) }, () => 'x').join(', ')})]`,
  'many modifiers': (r) => `rule r key by k pattern a+${' greedy'.repeat(length(r, 3000))} -> b`,
  'many rules': (r) => Array.from({ length: length(r, 400) }, (_, i) => `rule r${i} key by k pattern a[x > ${i}] -> b{${between(r, 1, 5)}} within ${i + 1}s`).join('\n'),
  'long token': (r) => {
    const n = length(r, 100_000);
    const word = 'w'.repeat(n);
    return pickOne(r, [
      `rule r key by k pattern ${word} -> b`,
      `rule r key by k pattern a[${word} > 1]`,
      `rule r key by k pattern a[x == "${word}"]`,
      `rule r key by k pattern a[x == ${'7'.repeat(n)}]`,
      `rule r key by k pattern a -> b within ${'1s'.repeat(Math.ceil(n / 2))}`,
      `rule r key by \`${word}\` pattern a`,
      `# ${word}\nrule r key by k pattern a`,
      `rule r key by k pattern a[matches(x, "${word}")]`,
      `rule r key by k pattern a[x == "${word}]`,
      `rule r key by k pattern a[${word}(x)]`,
      `rule r severity ${word} key by k pattern a`,
      `rule r key by k pattern a emit { v: ${word} }`,
    ]);
  },
  counts: (r) => {
    const q = () => pickOne(r, [`{${pickOne(r, COUNTS)}}`, `{${pickOne(r, COUNTS)},}`, `{${pickOne(r, COUNTS)},${pickOne(r, COUNTS)}}`, '+', '*', '?']);
    return pickOne(r, [
      `rule r key by k pattern a${q()} -> b`,
      `rule r key by k pattern x -> (a -> b${q()})${q()} -> y`,
      `rule r key by k pattern x -> ((a${q()})${q()})${q()} -> y`,
      `rule r key by k pattern x -> not n -> c${q()} optional -> d within 1h`,
    ]);
  },
};

/** Deep or long text number `n`: a kind in turn, sometimes with one random edit (a cut, an insertion). */
function hostile(random: () => number, n: number): { kind: string; source: string } {
  const kinds = Object.keys(HOSTILE_KINDS);
  const kind = kinds[n % kinds.length];
  let source = HOSTILE_KINDS[kind](random);
  const edit = random();
  const at = Math.floor(random() * (source.length + 1));
  if (edit < 0.15) source = source.slice(0, at);
  else if (edit < 0.3) source = source.slice(0, at) + pickOne(random, [...CHARS, ' not ', ' -> ', ')', ']']) + source.slice(at);
  return { kind, source };
}

/** A text in a failure message: whole when short, else its start and end. */
function excerpt(source: string): string {
  return source.length <= 2000 ? source : `${source.slice(0, 1000)}\n…(${source.length.toLocaleString('en-US')} characters)…\n${source.slice(-500)}`;
}

/** Every error of `error` lies inside `source` and renders as `fuzz.cep:line:col: message` (checked without `expect`: it runs 100,000s of times). */
function assertLocated(error: RuleErrors, source: string, label: string): void {
  const lines = source.split('\n');
  const fail = (why: string): never => {
    throw new Error(`${label}: ${why}\n--- input ---\n${excerpt(source)}`);
  };
  if (error.errors.length === 0) fail('RuleErrors without errors');
  for (const e of error.errors) {
    for (const { line, col } of [{ line: e.line, col: e.col }, ...e.related.map((r) => r.loc)]) {
      if (!(line >= 1 && line <= lines.length && col >= 1 && col <= lines[line - 1].length + 1)) fail(`error outside the text at ${line}:${col}: ${e.message}`);
    }
    if (e.message.length === 0 || e.message.length >= 600) fail(`a message empty or quoting too much: ${e.message.slice(0, 300)}`);
    if (!e.format().startsWith(`fuzz.cep:${e.line}:${e.col}: ${e.message}\n`)) fail(`badly rendered: ${e.format().slice(0, 300)}`);
  }
}

/** The most CPU one input took so far, ms (reported by the large run). */
let slowest = { ms: 0, label: '' };

/**
 * Parses, checks and compiles `source` (and now and then runs what it compiled), asserting the
 * contract of the module comment; returns whether the text was accepted.
 */
function check(source: string, label: string, random: () => number, exerciseIt: boolean): boolean {
  const started = process.cpuUsage();
  let accepted = false;
  try {
    const rules = parseRules(source, 'fuzz.cep');
    for (const rule of rules) compile(rule);
    if (exerciseIt) exercise(rules, random);
    accepted = true;
  } catch (error) {
    if (!(error instanceof RuleErrors)) {
      throw new Error(`${label}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n--- input ---\n${excerpt(source)}`, { cause: error });
    }
    assertLocated(error, source, label);
  }
  const used = process.cpuUsage(started);
  const ms = (used.user + used.system) / 1000;
  // A hang guard on CPU time (wall time depends on what else runs), not a speed measurement.
  if (ms >= 1000) throw new Error(`${label}: took ${ms.toFixed(0)} ms of CPU\n--- input ---\n${excerpt(source)}`);
  if (ms > slowest.ms) slowest = { ms, label };
  return accepted;
}

describe('fuzz', () => {
  it(`${CASES.toLocaleString('en-US')} mutated and random rule texts: rules that compile, or located RuleErrors only`, () => {
    const random = prng(SEED);
    slowest = { ms: 0, label: '' };
    let accepted = 0;
    for (let n = 0; n < CASES; n++) {
      if (check(mutate(random, n), `case ${n}`, random, n % 10 === 0)) accepted++;
    }
    if (LARGE) console.info(`fuzz: ${CASES.toLocaleString('en-US')} mutated and random texts, ${accepted.toLocaleString('en-US')} accepted, ${(CASES - accepted).toLocaleString('en-US')} rejected; slowest ${slowest.label}, ${slowest.ms.toFixed(0)} ms of CPU`);
    // Mutations of valid rules must keep some valid, or the fuzzer exercises only the first error path.
    expect(accepted).toBeGreaterThan(CASES / 50);
    expect(accepted).toBeLessThan(CASES / 2);
  }, LARGE ? 3_600_000 : 60_000);

  it(`${HOSTILE.toLocaleString('en-US')} deep or long rule texts: the same contract, each in under a second`, () => {
    const random = prng(SEED ^ 0xdee9);
    slowest = { ms: 0, label: '' };
    const byKind = new Map<string, { accepted: number; rejected: number }>();
    for (let n = 0; n < HOSTILE; n++) {
      const { kind, source } = hostile(random, n);
      const counts = byKind.get(kind) ?? { accepted: 0, rejected: 0 };
      if (check(source, `hostile case ${n} (${kind})`, random, n % 4 === 0)) counts.accepted++;
      else counts.rejected++;
      byKind.set(kind, counts);
    }
    const total = (f: (c: { accepted: number; rejected: number }) => number) => [...byKind.values()].reduce((sum, c) => sum + f(c), 0);
    if (LARGE) {
      const rows = [...byKind].map(([kind, c]) => `${kind} ${c.accepted}/${c.rejected}`).join(', ');
      console.info(`fuzz: ${HOSTILE.toLocaleString('en-US')} deep or long texts, ${total((c) => c.accepted)} accepted, ${total((c) => c.rejected)} rejected (accepted/rejected by kind: ${rows}); slowest ${slowest.label}, ${slowest.ms.toFixed(0)} ms of CPU`);
    }
    // Every kind was generated, and both outcomes happen: the texts straddle the limits.
    expect([...byKind.keys()].sort()).toEqual(Object.keys(HOSTILE_KINDS).sort());
    expect(total((c) => c.accepted)).toBeGreaterThan(HOSTILE / 10);
    expect(total((c) => c.rejected)).toBeGreaterThan(HOSTILE / 10);
  }, LARGE ? 3_600_000 : 60_000);
});
