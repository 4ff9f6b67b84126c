/**
 * The state records of `--exactly-once` (issue 11), without a broker: what one pending key costs
 * to write to the state topic and to read back. 100,000 keys of `a -> b within 1h` each hold one
 * partial match (one `a` event of four fields); each key's state goes through
 * `Nfa.serializeState` + the record encoding (msgpackr behind a format byte), and back through
 * `decodeRecord` + `Nfa.deserializeState`. Best of 5 runs; µs per key and bytes per key (key and
 * value, as the compacted topic keeps them).
 *
 *   npm run bench -- state
 *
 * Prints a table, writes bench/results/state.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRules } from '../src/dsl/index.js';
import { compile } from '../src/nfa/compiler.js';
import type { NfaState } from '../src/nfa/nfa.js';
import { decodeRecord, encodeValue, stateKey } from '../src/runtime/state-records.js';

const here = dirname(fileURLToPath(import.meta.url));
const KEYS = 100_000;
const [rule] = parseRules('rule pending\n  key by id\n  pattern a as first -> b as second\n  within 1h\n', 'bench.cep');
const nfa = compile(rule);
const base = Date.UTC(2024, 0, 1);
const states: NfaState[] = [];
for (let i = 0; i < KEYS; i++) {
  const state = nfa.initialState();
  nfa.process(state, { type: 'a', time: base + i, data: { type: 'a', ts: base + i, id: `key-${i}`, amount: i % 100 } });
  states.push(state);
}

const best = (runs: number, f: () => void): number => {
  let min = Infinity;
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    f();
    min = Math.min(min, performance.now() - start);
  }
  return min;
};

let records: { key: string; value: Buffer }[] = [];
const encodeMs = best(5, () => {
  records = states.map((s, i) => ({ key: stateKey('0', 'pending', `key-${i}`), value: encodeValue(nfa.serializeState(s)) }));
});
let restored = 0;
const decodeMs = best(5, () => {
  restored = 0;
  for (const { key, value } of records) {
    const record = decodeRecord(key, value);
    if (record.kind === 'key' && nfa.partialMatchCount(nfa.deserializeState(record.state)) === 1) restored++;
  }
});
if (restored !== KEYS) throw new Error(`bench: ${restored} of ${KEYS} keys restored`);
const bytes = records.reduce((n, r) => n + Buffer.byteLength(r.key) + r.value.length, 0);
const rows = [
  {
    case: `${KEYS.toLocaleString('en-US')} keys, one partial match each (a -> b within 1h)`,
    'bytes/key': Math.round(bytes / KEYS),
    'encode µs/key': Math.round((encodeMs * 1000 * 100) / KEYS) / 100,
    'decode µs/key': Math.round((decodeMs * 1000 * 100) / KEYS) / 100,
  },
];
console.table(rows);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'state.json'), JSON.stringify({ date: new Date().toISOString(), rows }, null, 2) + '\n');
