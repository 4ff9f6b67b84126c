/**
 * What `cep serve` reads as its rules: `rules:` files and globs, and a rule's identity across
 * reloads (its fingerprint: the compiled rule with conditions as tokens).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../../src/dsl/index.js';
import { compile } from '../../../src/nfa/compiler.js';
import { ruleFingerprint } from '../../../src/runtime/rule-fingerprint.js';
import { resolveRuleFiles } from '../../../src/runtime/service/rule-files.js';

const fingerprint = (text: string): string => ruleFingerprint(compile(parseRules(text, 'r.cep')[0]));
const base = 'rule r severity high\n  key by card\n  pattern txn[amount < 2]{3,} as probes -> txn[amount > 500] as big\n  within 10m\n  emit { n: count(probes) }\n';

describe('ruleFingerprint', () => {
  it('ignores whitespace, line breaks and comments', () => {
    const same = '# probes then a big one\nrule r   severity high\n  key by card // the card\n  pattern txn[amount<2]{3,} as probes\n    -> txn[ amount >500 ] as big\n  within 10m\n  emit {n: count( probes )}\n';
    expect(fingerprint(same)).toBe(fingerprint(base));
  });

  it('changes with any part of the rule', () => {
    const variants = [
      base.replace('amount < 2', 'amount < 3'),
      base.replace('{3,}', '{4,}'),
      base.replace('10m', '11m'),
      base.replace('->', '->>'),
      base.replace('key by card', 'key by user'),
      base.replace('severity high', 'severity low'),
      base.replace('count(probes)', 'sum(probes.amount)'),
      base.replace('rule r', 'rule s'),
      base.replace('  within 10m\n', '  within 10m\n  skip none\n'),
    ];
    const prints = new Set([base, ...variants].map(fingerprint));
    expect(prints.size).toBe(variants.length + 1);
  });
});

describe('resolveRuleFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cep-rules-'));
  mkdirSync(join(dir, 'more'));
  for (const f of ['a.cep', 'b.cep', 'more/c.cep', 'notes.txt']) writeFileSync(join(dir, f), '');

  it('files and globs, relative to the config folder, sorted, each once', () => {
    expect(resolveRuleFiles(['*.cep', 'a.cep', 'more/*.cep'], dir)).toEqual([join(dir, 'a.cep'), join(dir, 'b.cep'), join(dir, 'more/c.cep')]);
  });

  it('a missing file or a glob that matches nothing is an error naming it', () => {
    expect(() => resolveRuleFiles(['nope.cep'], dir)).toThrow('rules: nope.cep does not exist');
    expect(() => resolveRuleFiles(['rules/*.cep'], dir)).toThrow('rules: rules/*.cep matches no file');
  });
});
