/**
 * Text renderings of a compiled automaton for `cep explain`: Graphviz DOT and Mermaid flowcharts.
 * Each state is labelled `name#id (kind)`, each edge `action: guard`.
 */
import type { Automaton, AutomatonState } from './automaton.js';
import { describe } from './edge-condition.js';

function stateLabel(s: AutomatonState): string {
  return `${s.name}#${s.id}${s.kind === 'normal' ? '' : ` (${s.kind})`}`;
}

/** One rule's automaton, for the renderings of several rules at once. */
export interface NamedAutomaton {
  readonly name: string;
  readonly automaton: Automaton;
}

/**
 * The automata as one Graphviz `digraph`: a subgraph `cluster_N` per rule, labelled `rule NAME`,
 * its states `rN_sID`, so that `dot -Tsvg` draws every rule in one picture (several digraphs in one
 * file would render only the first).
 */
export function toDot(rules: readonly NamedAutomaton[]): string {
  const lines = ['digraph cep {', '  rankdir=LR;'];
  rules.forEach(({ name, automaton }, r) => {
    lines.push(`  subgraph cluster_${r} {`, `    label=${JSON.stringify(`rule ${name}`)};`);
    for (const s of automaton.states) {
      const shape = s.kind === 'final' ? 'doublecircle' : s.kind === 'stop' ? 'octagon' : s.kind === 'pending' ? 'box' : 'circle';
      lines.push(`    r${r}_s${s.id} [label=${JSON.stringify(stateLabel(s))}, shape=${shape}];`);
    }
    for (const s of automaton.states) {
      for (const t of s.transitions) {
        lines.push(`    r${r}_s${t.from} -> r${r}_s${t.to} [label=${JSON.stringify(`${t.action}: ${describe(t.condition)}`)}];`);
      }
    }
    lines.push('  }');
  });
  lines.push('}');
  return lines.join('\n');
}

/** Mermaid escapes: quotes would end the label. */
function mermaidText(text: string): string {
  return text.replace(/"/g, '#quot;');
}

/** The automata as one Mermaid `flowchart LR`: a subgraph per rule, its states `rN_sID`. */
export function toMermaid(rules: readonly NamedAutomaton[]): string {
  const lines = ['flowchart LR'];
  rules.forEach(({ name, automaton }, r) => {
    lines.push(`  subgraph r${r} ["${mermaidText(`rule ${name}`)}"]`);
    for (const s of automaton.states) {
      const label = `"${mermaidText(stateLabel(s))}"`;
      const id = `r${r}_s${s.id}`;
      lines.push(s.kind === 'final' ? `    ${id}((${label}))` : s.kind === 'stop' ? `    ${id}{{${label}}}` : `    ${id}[${label}]`);
    }
    for (const s of automaton.states) {
      for (const t of s.transitions) {
        lines.push(`    r${r}_s${t.from} -->|"${mermaidText(`${t.action}: ${describe(t.condition)}`)}"| r${r}_s${t.to}`);
      }
    }
    lines.push('  end');
  });
  return lines.join('\n');
}
