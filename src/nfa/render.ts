/**
 * Text renderings of a compiled automaton for `cep explain`: Graphviz DOT and Mermaid flowcharts.
 * Each state is labelled `name#id (kind)`, each edge `action: guard`.
 */
import type { Automaton, AutomatonState } from './automaton.js';
import { describe } from './edge-condition.js';

function stateLabel(s: AutomatonState): string {
  return `${s.name}#${s.id}${s.kind === 'normal' ? '' : ` (${s.kind})`}`;
}

/** The automaton as a Graphviz `digraph` named after the rule. */
export function toDot(automaton: Automaton, name: string): string {
  const lines = [`digraph ${JSON.stringify(name)} {`, '  rankdir=LR;'];
  for (const s of automaton.states) {
    const shape = s.kind === 'final' ? 'doublecircle' : s.kind === 'stop' ? 'octagon' : s.kind === 'pending' ? 'box' : 'circle';
    lines.push(`  s${s.id} [label=${JSON.stringify(stateLabel(s))}, shape=${shape}];`);
  }
  for (const s of automaton.states) {
    for (const t of s.transitions) {
      lines.push(`  s${t.from} -> s${t.to} [label=${JSON.stringify(`${t.action}: ${describe(t.condition)}`)}];`);
    }
  }
  lines.push('}');
  return lines.join('\n');
}

/** Mermaid escapes: quotes would end the label. */
function mermaidText(text: string): string {
  return text.replace(/"/g, '#quot;');
}

/** The automaton as a Mermaid `flowchart LR`. */
export function toMermaid(automaton: Automaton, name: string): string {
  const lines = ['flowchart LR', `  %% rule ${name}`];
  for (const s of automaton.states) {
    const label = `"${mermaidText(stateLabel(s))}"`;
    lines.push(s.kind === 'final' ? `  s${s.id}((${label}))` : s.kind === 'stop' ? `  s${s.id}{{${label}}}` : `  s${s.id}[${label}]`);
  }
  for (const s of automaton.states) {
    for (const t of s.transitions) {
      lines.push(`  s${t.from} -->|"${mermaidText(`${t.action}: ${describe(t.condition)}`)}"| s${t.to}`);
    }
  }
  return lines.join('\n');
}
