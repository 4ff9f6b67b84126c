/**
 * `--metrics` on Kafka (DSL.md section 10), on the test broker: `/readyz` answers 503 until the
 * consumer group has assigned the partitions and 200 from then on (never back while nothing
 * changes), and `/metrics` gives the events by `topic/partition` and `cep_kafka_lag`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { cliArgs } from '../runtime/support/cli.js';
import { samples, scrape, status } from '../runtime/support/metrics.js';
import { brokers, createTopics, kafka, produce, uniqueName, until } from './kafka-helpers.js';

describe('cep run --metrics on Kafka', () => {
  it('/readyz turns 200 once the partitions are assigned; /metrics counts events per partition and the lag', async () => {
    const topic = uniqueName('metrics');
    const group = uniqueName('cep-metrics');
    await createTopics([topic], 2);
    const cli = spawn(
      process.execPath,
      [...cliArgs(), 'run', 'examples/rules/ssh.cep', '--kafka-brokers', brokers()[0], '--kafka-topics', topic, '--kafka-group', group, '--metrics', '127.0.0.1:0', '--no-progress'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const base = await until('the metrics address', async () => {
        if (cli.exitCode !== null) throw new Error(`cep run exited with ${cli.exitCode}: ${stderr}`);
        return /metrics at (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(stderr)?.[1];
      });
      // Probe quickly from the moment the server listens: 503s, then 200s, never a 503 after a 200.
      const seen: number[] = [];
      for (let i = 0; i < 600 && seen.at(-1) !== 200; i++) {
        seen.push(await status(base, '/readyz'));
        await new Promise((ok) => setTimeout(ok, 20));
      }
      expect(seen.at(-1)).toBe(200);
      expect(seen.slice(0, -1).every((s) => s === 503)).toBe(true);
      // Ready means assigned: the group shows this member holding both partitions.
      const admin = kafka().admin();
      await admin.connect();
      try {
        const { groups } = await admin.describeGroups([group]);
        expect(groups[0].state).toBe('Stable');
        expect(groups[0].members).toHaveLength(1);
      } finally {
        await admin.disconnect();
      }
      for (let i = 0; i < 5; i++) expect(await status(base, '/readyz')).toBe(200);
      expect(await status(base, '/healthz')).toBe(200);

      await produce(topic, [
        { partition: 0, key: '10.0.0.1', value: JSON.stringify({ type: 'auth_failure', ip: '10.0.0.1', ts: '2015-12-10T06:55:46Z' }) },
        { partition: 1, key: '10.0.0.2', value: JSON.stringify({ type: 'auth_failure', ip: '10.0.0.2', ts: '2015-12-10T06:55:47Z' }) },
        { partition: 1, key: '10.0.0.2', value: JSON.stringify({ type: 'auth_failure', ip: '10.0.0.2', ts: '2015-12-10T06:55:48Z' }) },
      ]);
      const families = await until('both partitions counted', async () => {
        const f = await scrape(base);
        const events = samples(f, 'cep_events_total');
        return events.get(`input=${topic}/0`) === 1 && events.get(`input=${topic}/1`) === 2 ? f : undefined;
      });
      expect(samples(families, 'cep_kafka_lag')).toEqual(new Map([[`partition=0,topic=${topic}`, 0], [`partition=1,topic=${topic}`, 0]]));
      expect([...samples(families, 'cep_watermark_lag_seconds').keys()].sort()).toEqual([`input=${topic}/0`, `input=${topic}/1`]);
      cli.kill('SIGINT');
      const [code] = (await once(cli, 'exit')) as [number];
      expect(code).toBe(0);
    } finally {
      if (cli.exitCode === null) cli.kill('SIGKILL');
    }
  }, 90_000);
});
