/**
 * `cep serve`'s config file (DSL.md section 10): each kind of mistake is reported with its
 * file:line:col and what to write instead, and exits 2; and `cep run`'s options and the config's
 * keys, made from the same option declarations (commands/run-options.ts), have the same names,
 * defaults and parsed values.
 */
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerRun } from '../../../src/runtime/commands/run.js';
import { runOptionsSchema } from '../../../src/runtime/service/config.js';
import { ConfigError, loadServeConfig } from '../../../src/runtime/service/config-file.js';
import { cep, cepAsync } from '../support/cli.js';

/** Runs `cep ARGS` without blocking this process (a server of the test must answer meanwhile). */
async function cepAsyncResult(args: string[]): Promise<{ status: number | null; stderr: string }> {
  const child = cepAsync(args);
  child.stdin.end();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [status] = (await once(child, 'exit')) as [number | null];
  return { status, stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'cep-config-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
writeFileSync(join(dir, 'ssh.cep'), 'rule r\n  key by ip\n  pattern a -> b\n');

/** The problems `loadServeConfig` reports for `text`. */
function problems(text: string): string[] {
  const path = file('c.yaml', text);
  try {
    loadServeConfig(path);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => p.slice(path.length + 1).trimStart());
  }
  throw new Error('no error');
}

describe('cep serve config mistakes', () => {
  it('an unknown key: its line and column, and the key it most likely meant', () => {
    expect(problems('rules: [ssh.cep]\ninput: e.ndjson\nmax-dealy: 5s\n')).toEqual(["3:1: unknown key 'max-dealy'; did you mean 'max-delay'?"]);
    expect(problems('rules: [ssh.cep]\nkafkaBroker: [h:9092]\n')).toEqual(["2:1: unknown key 'kafkaBroker'; did you mean 'kafka-brokers'?"]);
  });

  it('a key __proto__ (or another name every object has) is an unknown key; inside a value it is a member, not a prototype', () => {
    expect(problems('rules: [ssh.cep]\n__proto__: {rules: [x]}\ntoString: 1\nconstructor: 2\n')).toEqual(["2:1: unknown key '__proto__'", "3:1: unknown key 'toString'", "4:1: unknown key 'constructor'"]);
    expect(problems('__proto__: {rules: [ssh.cep]}\n')).toEqual(["'rules' is missing: list the rule files (or globs) to run, e.g. rules: [rules/*.cep]", "1:1: unknown key '__proto__'"]);
    expect(problems('rules: [ssh.cep]\ninput: {__proto__: [a.ndjson]}\n')).toEqual(['2:8: input: expected a string or a list of strings']);
  });

  it('a value of the wrong type: its key, where the value is, and what is expected', () => {
    expect(problems('rules: [ssh.cep]\nmax-keys: many\n')).toEqual(['2:11: max-keys: expected a whole number ≥ 1']);
    expect(problems('rules: [ssh.cep]\nlinger: "yes"\n')).toEqual([expect.stringMatching(/^2:9: linger: .*expected boolean/)]);
    expect(problems('rules: [ssh.cep]\nmax-delay: 5 minutes\n')).toEqual([expect.stringMatching(/^2:12: max-delay: '5 minutes' is not a duration/)]);
    expect(problems('rules: [ssh.cep]\ninput: {a: 1}\n')).toEqual(['2:8: input: expected a string or a list of strings']);
  });

  it('rules missing: said so, with an example', () => {
    expect(problems('input: e.ndjson\n')).toEqual(["'rules' is missing: list the rule files (or globs) to run, e.g. rules: [rules/*.cep]"]);
  });

  it('the same option twice (kebab-case and camelCase), and every problem at once, in file order', () => {
    expect(problems('maxDelay: 1s\nmax-delay: 2s\nbogus: 1\n')).toEqual(["'rules' is missing: list the rule files (or globs) to run, e.g. rules: [rules/*.cep]", "2:1: 'max-delay' is given twice (also at 1:1)", "3:1: unknown key 'bogus'"]);
  });

  it('a good file: both spellings, durations and ports as written, defaults as on the command line', () => {
    const config = loadServeConfig(file('good.yaml', 'rules: ssh.cep\ninput: [a.ndjson, b.ndjson]\nmax-delay: 1m30s\nidle: 2000\nmetrics: 9464\nlogFormat: json\n'));
    expect(config).toMatchObject({ rules: ['ssh.cep'], input: ['a.ndjson', 'b.ndjson'], maxDelay: 90_000, idle: 2000, metrics: '9464', logFormat: 'json', timeField: 'ts', maxKeys: 1_000_000, commitInterval: 1000 });
  });

  it('a negated flag under its own name without the dashes (DSL.md section 10): no-progress or noProgress, as --no-progress', () => {
    expect(loadServeConfig(file('quiet.yaml', 'rules: ssh.cep\nno-progress: true\n'))).toMatchObject({ progress: false });
    expect(loadServeConfig(file('loud.yaml', 'rules: ssh.cep\nnoProgress: false\n'))).toMatchObject({ progress: true });
    expect(problems('rules: [ssh.cep]\nno-progress: 1\n')).toEqual(['2:14: no-progress: expected true or false']);
    expect(problems('rules: [ssh.cep]\nprogress: false\nno-progress: true\n')).toEqual(["3:1: 'no-progress' is given twice (also at 2:1)"]);
  });

  it('cep serve exits 2 on a bad config, printing each problem with its place', () => {
    const path = file('bad.yaml', 'rules: [ssh.cep]\ninput: e.ndjson\nmax-dealy: 5s\n');
    const r = cep(['serve', path]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${path}:3:1: unknown key 'max-dealy'; did you mean 'max-delay'?`);
    expect(r.stdout).toBe('');
  }, 30_000);
});

describe('--metrics and --log-format on cep run', () => {
  it('a bad address or format is bad usage (exit 2), named', () => {
    const rules = join(dir, 'ssh.cep');
    const metrics = cep(['run', rules, '--input', '-', '--metrics', 'localhost:http']);
    expect(metrics.status).toBe(2);
    expect(metrics.stderr).toContain('--metrics expects HOST:PORT, :PORT or PORT');
    const format = cep(['run', rules, '--input', '-', '--log-format', 'xml']);
    expect(format.status).toBe(2);
    expect(format.stderr).toMatch(/--log-format.*xml/);
  }, 30_000);

  it('a --metrics port already taken: CEP_METRICS_LISTEN, exit 1, before any input is read', async () => {
    const taken = createServer();
    await new Promise<void>((ok) => taken.listen(0, '127.0.0.1', ok));
    try {
      const { port } = taken.address() as AddressInfo;
      const r = await cepAsyncResult(['run', join(dir, 'ssh.cep'), '--input', '-', '--metrics', `127.0.0.1:${port}`]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`cep: error: CEP_METRICS_LISTEN: cannot serve --metrics on 127.0.0.1:${port}`);
    } finally {
      taken.close();
    }
  }, 30_000);
});

describe('cep run and cep serve share one list of options', () => {
  const run = (): Command => {
    const program = new Command().exitOverride();
    registerRun(program);
    return program.commands.find((c) => c.name() === 'run')!;
  };

  it('every option of cep run is a key of the config, and every key but rules: an option of cep run', () => {
    const cli = run().options.map((o) => o.attributeName()).sort();
    const keys = Object.keys(runOptionsSchema().shape).sort();
    expect(keys).toEqual(cli);
  });

  it("cep run's defaults are the config's defaults", async () => {
    const command = run().action(() => undefined);
    await command.parseAsync(['r.cep'], { from: 'user' });
    expect(command.opts()).toEqual(runOptionsSchema().parse({}));
  });

  it('a command line as commander parses it is a valid RunOptions, which the schema leaves as it is', async () => {
    const command = run().action(() => undefined);
    const argv = ['r.cep', '--input', 'a.ndjson', 'b.csv', '--max-delay', '1m30s', '--idle', '10s', '--kafka-brokers', 'h:9092', '--kafka-topics', 't', '--kafka-group', 'g', '--kafka-session-timeout', '20s', '--ws', '8080', '--metrics', '0.0.0.0:9464', '--log-format', 'json', '--no-progress', '--linger', '--speed', '2'];
    await command.parseAsync(argv, { from: 'user' });
    const opts = command.opts();
    expect(opts).toMatchObject({ maxDelay: 90_000, idle: 10_000, kafkaSessionTimeout: 20_000, progress: false });
    expect(runOptionsSchema().parse(opts)).toEqual(opts);
  });
});
