/**
 * `cep explain` (src/runtime/commands/explain.ts): each rule's automaton as text, DOT or Mermaid,
 * rule errors on stderr with exit code 1. The DOT output of several rules, over several files, is
 * one graph with a cluster per rule, rendered by Graphviz's `dot` (installed by
 * scripts/ensure-test-deps.sh).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainFiles, type ExplainFormat } from '../../../src/runtime/commands/explain.js';

function file(text: string, name = 'rules.cep'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cep-explain-')), name);
  writeFileSync(path, text);
  return path;
}

function explain(texts: readonly string[], format: ExplainFormat): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = explainFiles(texts.map((t) => file(t)), format, (t) => (out += t), (t) => (err += t));
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

const third = `
rule loop
  key by k
  pattern a[v > 0]{2,} as xs -> b
`;

/** `dot -Tsvg` of a DOT text: throws (with dot's message) when the text is not one valid graph. */
function renderSvg(dot: string): string {
  return execFileSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

describe('cep explain', () => {
  it('lists states and labelled transitions of every rule', () => {
    const { code, out, err } = explain([rules], 'text');
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toContain('rule unpaid (within 86400000 ms)');
    expect(out).toContain('payment_approved#1 pending');
    expect(out).toContain('o#3 --take--> payment_approved#1  [type == "order_placed"]');
    expect(out).toContain('rule pair');
    expect(out).toContain('b#1 --ignore--> b#1  [not (type == "b")]');
  });

  it('writes the rules of several files as one DOT graph, a cluster per rule, that dot renders', () => {
    const { code, out, err } = explain([rules, third], 'dot');
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out.match(/^digraph /gm)).toHaveLength(1);
    expect(out).toContain('subgraph cluster_0 {\n    label="rule unpaid";');
    expect(out).toContain('    r0_s3 -> r0_s1 [label="take: type == \\"order_placed\\""];');
    const svg = renderSvg(out);
    // One cluster per rule, each titled with its rule, and every state of every rule drawn.
    const clusters = [...svg.matchAll(/<g id="clust\d+" class="cluster">\s*<title>(cluster_\d+)<\/title>/g)].map((m) => m[1]);
    expect(clusters).toEqual(['cluster_0', 'cluster_1', 'cluster_2']);
    for (const name of ['unpaid', 'pair', 'loop']) expect(svg).toContain(`>rule ${name}</text>`);
    const states = [...out.matchAll(/^ {4}(r\d+_s\d+) \[label=/gm)].map((m) => m[1]);
    const drawn = [...svg.matchAll(/<g id="node\d+" class="node">\s*<title>(r\d+_s\d+)<\/title>/g)].map((m) => m[1]);
    expect(drawn.sort()).toEqual(states.sort());
    expect(states.length).toBeGreaterThan(6);
  });

  it('dot refuses what is not one graph (the check above can fail)', () => {
    expect(() => renderSvg('digraph a { x -> y }\ndigraph b { y -> z }\n}')).toThrow();
  });

  it('writes the rules as one Mermaid flowchart, a subgraph per rule', () => {
    const { code, out } = explain([rules, third], 'mermaid');
    expect(code).toBe(0);
    expect(out.match(/^flowchart /gm)).toHaveLength(1);
    expect(out.match(/^ {2}subgraph r\d+ \["rule \w+"\]$/gm)).toEqual(['  subgraph r0 ["rule unpaid"]', '  subgraph r1 ["rule pair"]', '  subgraph r2 ["rule loop"]']);
    expect(out.match(/^ {2}end$/gm)).toHaveLength(3);
    expect(out).toContain('    r0_s3 -->|"take: type == #quot;order_placed#quot;"| r0_s1');
  });

  it('says at once that a file named like an event file is not a rule file (exit 1)', () => {
    const events = join(mkdtempSync(join(tmpdir(), 'cep-explain-')), 'events.csv.gz');
    writeFileSync(events, 'not read');
    let err = '';
    const code = explainFiles([events], 'text', () => undefined, (t) => (err += t));
    expect({ code, err }).toEqual({ code: 1, err: `${events}: looks like an event file, not a rule file (*.cep)\n` });
  });

  it('reports rule errors on stderr with exit code 1, and still explains the other files', () => {
    const { code, out, err } = explain(['rule x\n  key by k\n  pattern a -> \n', rules], 'dot');
    expect(code).toBe(1);
    expect(err).toMatch(/rules\.cep:\d+:\d+/);
    expect(out.match(/subgraph cluster_\d+/g)).toEqual(['subgraph cluster_0', 'subgraph cluster_1']);
    expect(explain(['rule x\n  key by k\n  pattern a -> \n'], 'text').out).toBe('');
  });
});
