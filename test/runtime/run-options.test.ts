/** Misconfiguration of `cep run` / `cep test`: every bad usage exits 2 with a message naming the problem (STYLE.md 11). */
import { describe, expect, it } from 'vitest';
import { cep } from './support/cli.js';

const RULES = 'examples/rules/ssh.cep';
const SSH = 'examples/data/ssh-auth.ndjson';

describe('bad usage exits 2', () => {
  const cases: [string, string[], RegExp][] = [
    ['missing --input', ['run', RULES], /--input/],
    ['a bad --max-delay', ['run', RULES, '--input', SSH, '--max-delay', '5 minutes'], /is not a duration/],
    ['a zero --idle', ['run', RULES, '--input', SSH, '--idle', '0'], /above 0/],
    ['an unknown --format', ['run', RULES, '--input', SSH, '--format', 'xml'], /xml/],
    ['a bad --max-keys', ['run', RULES, '--input', SSH, '--max-keys', '-3'], /whole number/],
    ['a bad --speed', ['run', RULES, '--input', SSH, '--speed', 'fast'], /number above 0/],
    ['an unknown option', ['run', RULES, '--input', SSH, '--frobnicate'], /unknown option/],
    ['an input that does not exist', ['run', RULES, '--input', 'no/such/file.ndjson', '--no-progress'], /does not exist/],
    ['a rule file that does not exist', ['run', 'no/such.cep', '--input', SSH, '--no-progress'], /cannot read the rule file no\/such.cep: no such file/],
    ['an event file given as a rule file (--input forgotten)', ['run', RULES, SSH], /ssh-auth\.ndjson looks like an event file.*--input/],
    ['test without --expect', ['test', RULES, '--input', SSH], /--expect/],
    ['an --out that cannot be written', ['run', RULES, '--input', SSH, '--out', 'no/such/dir/alerts.ndjson', '--no-progress'], /--out no\/such\/dir\/alerts\.ndjson cannot be written/],
    ['a --late that cannot be written', ['run', RULES, '--input', SSH, '--late', 'no/such/dir/late.ndjson', '--no-progress'], /--late no\/such\/dir\/late\.ndjson cannot be written/],
    ['a --dead-letter that cannot be written', ['test', RULES, '--input', SSH, '--expect', 'examples/expected/ssh.ndjson', '--dead-letter', 'no/such/dir/dead.ndjson', '--no-progress'], /--dead-letter no\/such\/dir\/dead\.ndjson cannot be written/],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const r = cep(args);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(r.status).toBe(2);
    }, 30_000);
  }
});
