/**
 * Public surface of `src/nfa`: the rule structure, the NFA contract, the compiler and the
 * automaton description used by `cep explain`. The runtime imports from here only.
 */
export type { CepEvent } from './event.js';
export type * from './rule.js';
export type { Match, Nfa, NfaOptions, NfaState, NfaStats } from './nfa.js';
export { compile, buildAutomaton, DEFAULT_MAX_PARTIAL_MATCHES } from './compiler.js';
export { type Action, type Automaton, type AutomatonState, type StateKind, type Transition, FINAL_NAME, triples } from './automaton.js';
export { type EdgeCondition, describe as describeCondition } from './edge-condition.js';
export { toDot, toMermaid, type NamedAutomaton } from './render.js';
