/**
 * The progress bar on a real terminal: `cep run` under script(1) (util-linux, in every Debian
 * install), which gives it a pseudo-terminal as stdin, stdout and stderr. The replay is paced with
 * `--speed` so that it lasts over two seconds, past the engine's once-a-second progress tick.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliArgs } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'cep-tty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quote = (arg: string): string => `'${arg.replaceAll("'", "'\\''")}'`;

describe('progress on a terminal', () => {
  it('draws a cli-progress bar (bytes, events, events/s, alerts), then clears it for the summary', () => {
    const out = join(dir, 'alerts.ndjson');
    // The SSH log spans about 4 h 10 min of event time: at 6,000× it replays in about 2.5 s.
    const command = [process.execPath, ...cliArgs(), 'run', 'examples/rules/ssh.cep', '--input', 'examples/data/ssh-auth.ndjson', '--out', out, '--speed', '6000'].map(quote).join(' ');
    const r = spawnSync('script', ['-qefc', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/replay \|[█░]+\| \d+% \| [\d.]+ MB \| [\d,]+ events \| [\d,]+ events\/s \| [\d,]+ alerts/);
    expect(r.stdout).toMatch(/cep: 2,000 events, 0 bad records, 0 late events, \d+ alerts/);
    // The summary comes after the bar was cleared, and alerts went to --out, not to the terminal.
    expect(r.stdout.lastIndexOf('cep: 2,000 events')).toBeGreaterThan(r.stdout.lastIndexOf('replay |'));
    expect(r.stdout).not.toContain('"rule"');
    expect(readFileSync(out, 'utf8').trim().split('\n').length).toBeGreaterThan(0);
  }, 60_000);
});
