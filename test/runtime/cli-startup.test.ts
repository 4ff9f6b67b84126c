/**
 * Start-up (issue 17): `cep check` loads the front end and the automaton compiler only, never the
 * engine, the sources or the live clients (kafkajs, ws); the command line loads a command only
 * when it runs. Its speed is measured by bench/startup.bench.ts, not here.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliArgs } from './support/cli.js';

/** The modules `cep ARGS` loads (URLs), from the trace of test/runtime/support/trace-loads.mjs. */
function loadedBy(args: string[]): string[] {
  const r = spawnSync(process.execPath, ['--import', './test/runtime/support/trace-loads.mjs', ...cliArgs(), ...args], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stderr.split('\n').filter((l) => l.startsWith('load ')).map((l) => l.slice('load '.length));
}

describe('start-up', () => {
  it('cep check loads neither the engine nor kafkajs, ws, pino, prom-client, re2js (no matches() here) or the other commands', () => {
    const loaded = loadedBy(['check', 'examples/rules/fraud.cep']);
    expect(loaded.some((url) => url.includes('/dsl/checker.'))).toBe(true);
    for (const name of ['/node_modules/kafkajs/', '/node_modules/ws/', '/node_modules/re2js/', '/node_modules/pino/', '/node_modules/prom-client/', '/runtime/engine.', '/commands/run.', '/commands/explain.']) {
      expect(loaded.filter((url) => url.includes(name))).toEqual([]);
    }
  });

  it('help still lists every command', () => {
    const r = spawnSync(process.execPath, [...cliArgs(), '--help'], { encoding: 'utf8' });
    for (const command of ['check', 'explain', 'run', 'test']) expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });
});
