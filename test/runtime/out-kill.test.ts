/**
 * `--out` never ends in a cut line (issue 11): alerts are written as whole lines in each write
 * call, so a `cep run` killed with SIGKILL at any moment leaves a file of complete NDJSON lines,
 * each one an alert of the full run. The run is paced (`--speed`) so that the kills fall while
 * alerts are being written.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cep, cliArgs } from './support/cli.js';

const RULES = 'examples/rules/ssh.cep';
const SSH = 'examples/data/ssh-auth.ndjson';
const dir = mkdtempSync(join(tmpdir(), 'cep-out-kill-'));

describe('--out after kill -9', () => {
  it('holds only whole alert lines, each one of the full run, whenever the process is killed', async () => {
    const full = new Set(cep(['run', RULES, '--input', SSH, '--no-progress']).stdout.split('\n').filter(Boolean));
    let partial = 0;
    for (let i = 0; i < 5; i++) {
      const out = join(dir, `alerts-${i}.ndjson`);
      // The SSH log spans about 4 hours of event time: at 5,000 × it takes about 3 s.
      const child = spawn(process.execPath, [...cliArgs(), 'run', RULES, '--input', SSH, '--out', out, '--speed', '5000', '--no-progress'], { stdio: 'ignore' });
      const exited = new Promise((ok) => child.once('exit', ok));
      // Kill at a different moment of each run, counted from its first alert line: pacing keeps the
      // run going for about 3 s after it, however long a loaded machine takes to get there.
      const deadline = Date.now() + 20_000;
      while (!(existsSync(out) && statSync(out).size > 0) && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 10));
      await new Promise((ok) => setTimeout(ok, 100 + 300 * i));
      child.kill('SIGKILL');
      await exited;
      const text = readFileSync(out, 'utf8');
      expect(text === '' || text.endsWith('\n')).toBe(true);
      const lines = text.split('\n').filter(Boolean);
      for (const line of lines) expect(full.has(line)).toBe(true);
      if (lines.length > 0 && lines.length < full.size) partial++;
    }
    // At least one kill fell while alerts were being written (the file is neither empty nor complete).
    expect(partial).toBeGreaterThan(0);
  }, 60_000);
});
