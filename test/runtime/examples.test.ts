/**
 * The bundled examples, checked the way a user runs them: `cep test` on each rule file against
 * its expected alerts, which were derived independently (examples/derive/*.py, see
 * examples/README.md).
 */
import { describe, expect, it } from 'vitest';
import { cep } from './support/cli.js';

const examples = [
  { rules: 'examples/rules/ssh.cep', input: 'examples/data/ssh-auth.ndjson', expect: 'examples/expected/ssh.ndjson' },
  { rules: 'examples/rules/orders.cep', input: 'examples/data/olist-orders.ndjson', expect: 'examples/expected/orders.ndjson' },
  { rules: 'examples/rules/fraud.cep', input: 'examples/data/cards.ndjson', expect: 'examples/expected/fraud.ndjson' },
];

describe('examples', () => {
  for (const ex of examples) {
    it(`cep test ${ex.rules} passes`, () => {
      const r = cep(['test', ex.rules, '--input', ex.input, '--expect', ex.expect, '--no-progress']);
      expect(r.stderr).toMatch(/^cep: [\d,]+ events, 0 bad records, 0 late events/m);
      expect(r.stdout).toMatch(/^ok: [\d,]+ alerts as expected/);
      expect(r.status).toBe(0);
    }, 60_000);
  }
});
