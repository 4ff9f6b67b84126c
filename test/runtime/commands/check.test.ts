/**
 * `cep check` (DSL.md section 7): exit codes and what goes to stderr, through `checkFiles` and
 * through the command as registered on a commander program (as src/runtime/cli.ts does; cli.ts
 * itself exits on bad usage with code 2 for commander's errors).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { checkFiles, registerCheck } from '../../../src/runtime/commands/check.js';

const dir = mkdtempSync(join(tmpdir(), 'cep-check-'));
const good = join(dir, 'good.cep');
const bad = join(dir, 'bad.cep');
writeFileSync(good, 'rule a key by ip pattern auth_failure{5} as tries within 1m\nrule b key by ip pattern x -> y\n');
writeFileSync(bad, 'rule a key by ip\n  pattern auth_failure[cuont(x) > 1]\n');

function run(files: string[]): { code: number; out: string } {
  let out = '';
  const code = checkFiles(files, (t) => {
    out += t;
  });
  return { code, out };
}

describe('cep check', () => {
  it('exit 0 and an ok line for good files', () => {
    expect(run([good])).toEqual({ code: 0, out: `ok: 2 rules in ${good}\n` });
  });

  it('exit 1 with every error located, the source line and a caret', () => {
    const { code, out } = run([good, bad]);
    expect(code).toBe(1);
    expect(out).toContain(`${bad}:2:24: unknown function 'cuont'; did you mean 'count'?\n2 |   pattern auth_failure[cuont(x) > 1]\n  |                        ^^^^^\n`);
    expect(out).toContain(`${bad}: 1 error\n`);
  });

  it('every rule error of a file: the syntax error of each rule and the check errors of the rules that parse, in file order', () => {
    const mixed = join(dir, 'mixed.cep');
    writeFileSync(mixed, 'rule a key by k pattern x ->\n\nrule b key by k pattern y emit { v: nope.x }\n\nrule c key by k pattern q -> -> w\n');
    const { code, out } = run([mixed]);
    expect(code).toBe(1);
    const located = out.split('\n').filter((l) => l.startsWith(`${mixed}:`) && /^\d/.test(l.slice(mixed.length + 1)));
    expect(located.map((l) => l.slice(mixed.length + 1).split(':').slice(0, 2).join(':'))).toEqual(['3:1', '3:37', '5:30']);
    expect(out).toContain(`${mixed}: 3 errors\n`);
  });

  it('an event file given as a rule file is an error at once, without reading it as rules', () => {
    const events = join(dir, 'events.ndjson');
    writeFileSync(events, '{"type":"auth_failure","ts":1,"ip":"10.0.0.1"}\n');
    expect(run([events, good])).toEqual({ code: 1, out: `${events}: looks like an event file, not a rule file (*.cep)\nok: 2 rules in ${good}\n` });
  });

  it('a file that is not UTF-8 is a rule error at its first invalid byte (it was read with U+FFFD in the string), and goes on with the next file', () => {
    const latin1 = join(dir, 'latin1.cep');
    // A U+FFFD the file really holds (EF BF BD) is text; the bytes FF FE after the euro sign are not.
    writeFileSync(latin1, Buffer.concat([Buffer.from('rule r key by k # \ufffd\n  pattern a[x == "\u20ac'), Buffer.from([0xff, 0xfe]), Buffer.from('"] -> b\n')]));
    const { code, out } = run([latin1, good]);
    expect(code).toBe(1);
    expect(out).toBe(`${latin1}:2:20: invalid UTF-8: a rule file is UTF-8 text\n2 |   pattern a[x == "\u20ac\ufffd\ufffd"] -> b\n  |                    ^\nok: 2 rules in ${good}\n`);
  });

  it('a missing file is an error with a clear message', () => {
    const missing = join(dir, 'nope.cep');
    expect(run([missing])).toEqual({ code: 1, out: `cep: error: cannot read the rule file ${missing}: no such file\n` });
  });

  it('as a commander command: errors to stderr, nothing to stdout, missing arguments are bad usage', async () => {
    const program = () => {
      const p = new Command('cep').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
      registerCheck(p);
      return p;
    };
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write');
    const before = process.exitCode;
    try {
      await program().parseAsync(['node', 'cep', 'check', bad]);
      expect(process.exitCode).toBe(1);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain("unknown function 'cuont'");
      await program().parseAsync(['node', 'cep', 'check', good]);
      expect(process.exitCode).toBe(0);
      expect(stdout).not.toHaveBeenCalled();
      await expect(program().parseAsync(['node', 'cep', 'check'])).rejects.toMatchObject({ code: 'commander.missingArgument' });
    } finally {
      process.exitCode = before;
      stderr.mockRestore();
      stdout.mockRestore();
    }
  });
});
