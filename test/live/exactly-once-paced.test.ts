/**
 * `--exactly-once` with `--speed`: the engine takes an event from the Kafka source, then waits for
 * its time (pacing) before feeding it. A commit in that wait must not cover the event's offset
 * without the event: after a kill -9 the restored task would resume past an event its state never
 * saw, and the match it completes would be lost.
 *
 * One key, `a` at T and `b` at T + 3 s, paced at `--speed 1`, commits every 200 ms: `b` waits
 * about 3 s between being taken and being fed. The process is killed with SIGKILL as soon as the
 * group's committed offset covers `b`, then started again; a later event moves the watermark past
 * `b`. The alert topic (read_committed) must hold the match `a -> b` exactly once.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlertReader } from './eos/alert-reader.js';
import { CepProcess, liveRunArgs } from './eos/cep-process.js';
import { createTopic, groupLag, Phases, poll } from './eos/harness.js';
import { killTestSetup } from './eos/kill-test.js';
import { EventStream } from './eos/producer.js';
import { brokers, uniqueName } from './kafka-helpers.js';

const setup = killTestSetup({ label: 'exactly-once --speed', prefix: 'cep-paced-', clientId: 'cep-paced-harness' });

describe('cep run --exactly-once --speed on a real broker', () => {
  it('a commit during an event\'s pacing wait does not cover it: killed then, the restarted process still completes its match, once', async () => {
    const { kafka, admin, dir } = setup;
    const phases = new Phases();
    const [input, out, group] = [uniqueName('paced-in'), uniqueName('paced-alerts'), uniqueName('paced-cep')];
    await createTopic(admin, input, 1);
    await createTopic(admin, out, 1);
    const rules = join(dir, 'pair.cep');
    writeFileSync(rules, 'rule pair\n  key by account\n  pattern a as first -> b as second\n  within 1h\n');
    const T = Date.UTC(2024, 5, 1, 12);
    const reader = await AlertReader.start(kafka, out, 'read_committed');
    const stream = new EventStream(kafka, input);
    const args = liveRunArgs({ rules, brokers: brokers(), inputTopic: input, group, alertTopic: out, exactlyOnce: true, commitInterval: '200ms', extra: ['--speed', '1'] });
    const cep = new CepProcess('paced', args, dir);
    try {
      cep.start();
      await stream.send([
        { type: 'a', ts: T, account: 'k', seq: 0 },
        { type: 'b', ts: T + 3000, account: 'k', seq: 1 },
      ]);
      const covered = await poll(async () => ((await groupLag(admin, group, input))[0].committed >= 2 ? true : undefined), 30_000, 50);
      await cep.kill9();
      phases.mark('kill -9 once the committed offset covers b', covered === true ? 'covered' : 'not covered within 30 s');
      await stream.send([{ type: 'c', ts: T + 3_600_000, account: 'k', seq: 2 }]);
      cep.start();
      const first = await poll(() => (reader.count > 0 ? reader.count : undefined), 60_000);
      phases.mark('restarted, a later event sent', first === undefined ? 'no alert within 60 s' : 'alert committed');
      // Any second copy would come with the next commits (every 200 ms).
      await new Promise((ok) => setTimeout(ok, 2000));
      await cep.stop();
      console.log(`exactly-once --speed:\n${phases.format()}`);
      expect({
        crashes: cep.unexpectedExits().map((e) => e.stderrTail),
        alerts: reader.alerts().map((a) => `${String(a.rule)} ${String(a.kind)} ${JSON.stringify(a.key)} ${JSON.stringify(a.events)}`),
      }).toEqual({
        crashes: [],
        alerts: [`pair match "k" ${JSON.stringify({ first: { type: 'a', ts: T, account: 'k', seq: 0 }, second: { type: 'b', ts: T + 3000, account: 'k', seq: 1 } })}`],
      });
      setup.report(true);
    } finally {
      await Promise.allSettled([cep.stop(10_000), reader.close(), stream.close()]);
    }
  }, 120_000);
});
