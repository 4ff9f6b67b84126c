/**
 * `cep explain` (src/runtime/commands/explain.ts): each rule's automaton as text, DOT or Mermaid,
 * rule errors on stderr with exit code 1.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainFiles } from '../../src/runtime/commands/explain.js';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cep-explain-')), 'rules.cep');
  writeFileSync(path, text);
  return path;
}

function explain(text: string, format: 'text' | 'dot' | 'mermaid'): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = explainFiles([file(text)], format, (t) => (out += t), (t) => (err += t));
  return { code, out, err };
}

const rules = `
rule unpaid
  key by order_id
  pattern order_placed as o -> not payment_approved within 24h

rule pair
  key by k
  pattern a -> b
`;

describe('cep explain', () => {
  it('lists states and labelled transitions of every rule', () => {
    const { code, out, err } = explain(rules, 'text');
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toContain('rule unpaid (within 86400000 ms)');
    expect(out).toContain('payment_approved#1 pending');
    expect(out).toContain('o#3 --take--> payment_approved#1  [type == "order_placed"]');
    expect(out).toContain('rule pair');
    expect(out).toContain('b#1 --ignore--> b#1  [not (type == "b")]');
  });

  it('renders Graphviz DOT and Mermaid', () => {
    const dot = explain(rules, 'dot').out;
    expect(dot).toContain('digraph "unpaid" {');
    expect(dot).toContain('s3 -> s1 [label="take: type == \\"order_placed\\""];');
    const mermaid = explain(rules, 'mermaid').out;
    expect(mermaid).toContain('flowchart LR');
    expect(mermaid).toContain('s3 -->|"take: type == #quot;order_placed#quot;"| s1');
  });

  it('says at once that a file named like an event file is not a rule file (exit 1)', () => {
    const events = join(mkdtempSync(join(tmpdir(), 'cep-explain-')), 'events.csv.gz');
    writeFileSync(events, 'not read');
    let err = '';
    const code = explainFiles([events], 'text', () => undefined, (t) => (err += t));
    expect({ code, err }).toEqual({ code: 1, err: `${events}: looks like an event file, not a rule file (*.cep)\n` });
  });

  it('reports rule errors on stderr with exit code 1', () => {
    const { code, out, err } = explain('rule x\n  key by k\n  pattern a -> \n', 'text');
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(/rules\.cep:\d+:\d+/);
  });
});
