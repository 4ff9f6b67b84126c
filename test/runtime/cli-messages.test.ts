/**
 * The command line's conventions of DSL.md section 7 (issue 17), through the built `cep`: help on
 * stdout with required options marked, errors as sentences in one style (`cep: error: ...` or a
 * located `file:line:col: ...`) with no internal names and no errno codes, counts with correct
 * plurals, and a refused regular expression explained once.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cep } from './support/cli.js';

const SSH = 'examples/data/ssh-auth.ndjson';
const RULES = 'examples/rules/ssh.cep';
const dir = mkdtempSync(join(tmpdir(), 'cep-messages-'));
const missing = join(dir, 'nope.cep');
const empty = join(dir, 'empty.cep');
writeFileSync(empty, '# nothing here yet\n');

describe('cep messages (DSL.md section 7)', () => {
  it('help is printed on stdout, exits 0, and marks required options', () => {
    const test = cep(['help', 'test']);
    expect(test.status).toBe(0);
    expect(test.stderr).toBe('');
    expect(test.stdout).toMatch(/--expect <file> +expected alerts \(NDJSON\) \(required\)\n/);
    expect(test.stdout).toMatch(/--input <file\.\.\.> +event files [^]*?\(required\)\n/);
    const run = cep(['run', '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--out <file>');
    expect(run.stdout).not.toContain('(required)');
    expect(run.stdout).toMatch(/--input <file\.\.\.> +event files [^]*?\(required\s+unless\s+--kafka-topics\)\n/);
  });

  it('a missing rule file: a sentence, no errno code (run: exit 2, check and explain: exit 1)', () => {
    const run = cep(['run', missing, '--input', SSH, '--no-progress']);
    expect(run.stderr).toBe(`cep: error: cannot read the rule file ${missing}: no such file\n`);
    expect(run.status).toBe(2);
    for (const command of ['check', 'explain']) {
      const r = cep([command, missing]);
      expect(r.stderr).toBe(`cep: error: cannot read the rule file ${missing}: no such file\n`);
      expect(r.status).toBe(1);
    }
  });

  it('a rule file without rules is a rule error at its first line (run and check: exit 1), not an internal message', () => {
    const message = `${empty}:1:1: no rules in this file: a rule file holds one or more rules (rule NAME key by FIELD pattern ...)\n1 | # nothing here yet\n  | ^\n`;
    const run = cep(['run', empty, '--input', SSH, '--no-progress']);
    expect(run.stderr).toBe(message);
    expect(run.status).toBe(1);
    const check = cep(['check', empty]);
    expect(check.stderr).toBe(`${message}${empty}: 1 error\n`);
    expect(check.status).toBe(1);
  });

  it('usage errors, commander\'s own included, read `cep: error: ...`', () => {
    const noInput = cep(['test', RULES, '--expect', 'examples/expected/ssh.ndjson']);
    expect(noInput.stderr).toBe("cep: error: required option '--input <file...>' not specified\n");
    expect(noInput.status).toBe(2);
  });

  it('1 alert, not 1 alerts', () => {
    const ten = join(dir, 'ten.ndjson');
    writeFileSync(ten, readFileSync(SSH, 'utf8').split('\n').slice(0, 10).join('\n') + '\n');
    const r = cep(['run', RULES, '--input', ten, '--no-progress']);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^cep: 10 events, 0 bad records, 0 late events, 1 alert \(ssh_brute_force 0, ssh_break_in 1\), /);
  });

  it('a refused regular expression is explained once, under the literal', () => {
    const file = join(dir, 'regex.cep');
    writeFileSync(file, 'rule r\n  key by ip\n  pattern auth_failure[matches(user, "(?<=adm)in")]\n');
    const r = cep(['check', file]);
    expect(r.stderr).toBe(
      `${file}:3:38: regular expression not accepted (RE2 syntax, linear time): lookahead and lookbehind such as '(?<=' need backtracking\n` +
        '3 |   pattern auth_failure[matches(user, "(?<=adm)in")]\n' +
        '  |                                      ^^^^^^^^^^^^\n' +
        `${file}: 1 error\n`,
    );
  });
});
