/**
 * Issue 11, "Done means": `cep run --exactly-once` on a real broker survives `kill -9` and
 * rebalances without losing, repeating or inventing an alert.
 *
 * 1. Three `cep run --exactly-once` processes in one group read ≥ 100k keyed events from a
 *    6-partition topic (produced live, while they run, keyed by account: the rules' `key by`);
 *    two of them are killed with SIGKILL at different points mid-stream (one once the alert topic
 *    holds 10% of the expected committed alerts, the other once the group has committed 50% of the
 *    input and at least 5 s after the first restart) and started again a second later. The
 *    producer holds back the rest of the stream (after 40% and after 75%) until each kill has
 *    happened, so that both fall while events are still arriving. Once settled (lag 0 on every input partition, the read_committed
 *    reader at the end of the alert topic and quiet), the processes are stopped and the alerts a
 *    `read_committed` consumer sees are compared, as a multiset ignoring `id`, with `cep run --input`
 *    on exactly the events produced: 0 lost, 0 duplicated, 0 unexpected, and no id seen twice.
 *    The run is driven by a kafkajs read_committed reader; the verdict reads the topic once more
 *    with Kafka's own Java consumer (eos/ReadCommitted.java), the reference for isolation levels,
 *    and reports where kafkajs's reading differs.
 * 2. One process killed and restarted completes matches whose first events came before the kill
 *    (a Kleene closure, a `next`, a trailing `not`, an `on timeout emit`), each exactly once, and
 *    does not repeat an alert it committed before the kill.
 *
 * The two tests run at the same time (`it.concurrent`: their own topics, groups and processes); the
 * second mostly waits, for the group to drop the killed member after its session timeout.
 *
 * Environment (all optional):
 * - `CEP_EOS_MODE=at-least-once` runs the same harness without `--exactly-once` (and, on a CLI
 *   from before issue 11, without `--commit-interval` and `--kafka-session-timeout`): the
 *   at-least-once mode, which must fail (that is how the harness shows it can fail).
 * - `CEP_EOS_EVENTS=N` (default 100000), `CEP_EOS_RATE=events/s` (default 5000): size and pace.
 * - `CEP_EOS_KEEP=1` keeps the processes' logs (their folder is printed) even when the test passes.
 *
 * The pieces (data, producer, processes, reader, comparison) are in test/live/eos; the long run by
 * hand is scripts/soak/exactly-once.ts (`npm run soak`).
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { AlertReader } from './eos/alert-reader.js';
import { CepProcess, cliKnows, liveRunArgs } from './eos/cep-process.js';
import { compareAlerts, formatComparison, type AlertJson, type Comparison } from './eos/compare.js';
import { generateEvents, partitionOf, sentinels, writeNdjson, type BankEvent } from './eos/data.js';
import { createTopic, groupLag, Phases, poll, referenceAlerts, totalLag, waitSettled, writePostMortem } from './eos/harness.js';
import { readWithJava } from './eos/java-reader.js';
import { killTestSetup } from './eos/kill-test.js';
import { EventStream } from './eos/producer.js';
import { dumpStateHistory } from './eos/state-dump.js';
import { brokers, uniqueName } from './kafka-helpers.js';

const EXACTLY_ONCE = process.env.CEP_EOS_MODE !== 'at-least-once';
const MODE = EXACTLY_ONCE ? 'exactly-once' : 'at-least-once';
const EVENTS = Number(process.env.CEP_EOS_EVENTS ?? 100_000);
const RATE = Number(process.env.CEP_EOS_RATE ?? 5_000);
const KEEP = process.env.CEP_EOS_KEEP === '1';
const RULES = 'test/live/eos/rules.cep';
const INPUT_PARTITIONS = 6;
const ALERT_PARTITIONS = 3;
/** A CLI without `--kafka-session-timeout` has a fixed 30 s one: a killed member's partitions wait that long. */
const STALL_MS = cliKnows('--kafka-session-timeout') ? 20_000 : 40_000;

const fmt = (n: number): string => n.toLocaleString('en-US');
const pct = (part: number, whole: number): string => `${whole === 0 ? 0 : Math.round((100 * part) / whole)}%`;

const setup = killTestSetup({ label: 'exactly-once harness', prefix: 'cep-eos-', keep: KEEP });

/** Stops every process still running (gracefully), closes readers and the producer; never throws. */
async function cleanup(processes: readonly CepProcess[], closers: readonly (() => Promise<void>)[]): Promise<void> {
  await Promise.allSettled(processes.map((p) => p.stop(10_000)));
  await Promise.allSettled(closers.map((c) => c()));
}

/**
 * The verdict's comparison: the alert topic read to its end by Kafka's Java consumer with
 * read_committed (java-reader.ts), and, beside it, what the kafkajs read_committed reader of the
 * run saw. The Java reading decides; without Java the kafkajs one does (said in the report).
 */
async function judge(expected: readonly AlertJson[], reader: AlertReader, topic: string, dir: string): Promise<{ comparison: Comparison; lines: string[] }> {
  const viaKafkajs = compareAlerts(expected, reader.alerts());
  const java = await readWithJava(brokers(), topic, join(dir, 'read-committed.java.ndjson'));
  if (typeof java === 'string') {
    return { comparison: viaKafkajs, lines: [`  read_committed (kafkajs; no Java reading: ${java}): ${formatComparison(viaKafkajs)}`] };
  }
  const comparison = compareAlerts(expected, java.records.map((r) => r.value));
  const lines = [`  read_committed (Kafka's Java consumer, ${(java.ms / 1000).toFixed(1)} s): ${formatComparison(comparison)}`];
  const same = java.records.length === reader.count && viaKafkajs.duplicated === comparison.duplicated && viaKafkajs.lost === comparison.lost;
  lines.push(same ? `  read_committed (kafkajs reader): the same ${fmt(reader.count)} records` : `  read_committed (kafkajs reader) DIFFERS: ${formatComparison(viaKafkajs)}`);
  // The kafkajs records with their producer id/epoch show which transactions kafkajs let through.
  if (!same) lines.push(`  kafkajs post-mortem: ${writePostMortem(dir, reader.records, viaKafkajs).join(', ')}`);
  return { comparison, lines };
}

const exitsOf = (processes: readonly CepProcess[]): string[] =>
  processes.flatMap((p) => p.unexpectedExits().map((e) => `${p.name}#${e.incarnation} exited (code ${e.code}, signal ${e.signal}):\n${e.stderrTail}`));

describe(`cep run ${EXACTLY_ONCE ? '--exactly-once' : '(at-least-once)'} on a real broker, with kill -9 and rebalances`, () => {
  it.concurrent(`three processes, two killed with SIGKILL mid-stream and restarted: the read_committed alerts are those of cep run --input (${fmt(EVENTS)} events)`, async ({ expect }) => {
    const { kafka, admin, dir: logRoot } = setup;
    const phases = new Phases();
    const dir = mkdtempSync(join(logRoot, 'three-'));
    const [input, out, group] = [uniqueName('eos-in'), uniqueName('eos-alerts'), uniqueName('eos-cep')];
    await createTopic(admin, input, INPUT_PARTITIONS);
    await createTopic(admin, out, ALERT_PARTITIONS);

    const events = generateEvents({ events: EVENTS, seed: 11 });
    const ends = sentinels(INPUT_PARTITIONS, events[events.length - 1].ts, events.length);
    const file = join(dir, 'events.ndjson');
    writeNdjson(file, [...events, ...ends.map((s) => s.event)]);
    phases.mark('data', `${fmt(events.length)} events, ${fmt(new Set(events.map((e) => e.account)).size)} keys, + ${ends.length} sentinels`);

    const reference = await referenceAlerts(RULES, file, join(dir, 'reference.ndjson'));
    const expected = reference.alerts;
    phases.mark('reference run (cep run --input)', `${fmt(expected.length)} alerts`);
    expect(expected.length).toBeGreaterThan(EVENTS / 20);

    const reader = await AlertReader.start(kafka, out, 'read_committed');
    const rawReader = await AlertReader.start(kafka, out, 'read_uncommitted');
    const stream = new EventStream(kafka, input);
    const args = liveRunArgs({ rules: RULES, brokers: brokers(), inputTopic: input, group, alertTopic: out, exactlyOnce: EXACTLY_ONCE });
    const processes = ['A', 'B', 'C'].map((name) => new CepProcess(name, args, dir));
    const kills: string[] = [];
    let comparison: Comparison;
    try {
      for (const p of processes) p.start();
      // The producer holds back the last parts of the stream until each kill has happened, so both
      // kills fall while events are still arriving, however fast the engine drains what it has.
      const cuts = [Math.floor(EVENTS * 0.4), Math.floor(EVENTS * 0.75)];
      const gates = [0, 1].map(() => {
        let open!: () => void;
        return { opened: new Promise<void>((ok) => (open = ok)), open };
      });
      const producing = (async () => {
        await stream.send(events.slice(0, cuts[0]), { eventsPerSecond: RATE });
        await gates[0].opened;
        await stream.send(events.slice(cuts[0], cuts[1]), { eventsPerSecond: RATE });
        await gates[1].opened;
        await stream.send(events.slice(cuts[1]), { eventsPerSecond: RATE });
        await stream.sendSentinels(ends);
        phases.mark('produced (concurrent with the kills)', `${fmt(EVENTS)} events at ≤ ${fmt(RATE)}/s (the last 60% and 25% held until the kills), then the sentinels`);
      })();
      producing.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
      phases.mark('3 processes started, producing');

      /** Kills `p` once `ready` says so (or after 90 s), notes where the stream was, restarts it 1 s later. */
      const killWhen = async (p: CepProcess, what: string, ready: () => Promise<boolean>): Promise<void> => {
        const reached = await poll(async () => ((await ready()) ? true : undefined), 90_000, 100);
        const consumed = (await groupLag(admin, group, input)).reduce((s, l) => s + Math.max(0, l.committed), 0);
        const note = `${what}${reached ? '' : ' (not reached in 90 s)'}${p.alive ? '' : ' (it had already exited by itself)'}: produced ${pct(stream.produced, EVENTS)}, input committed ${pct(consumed, EVENTS)}, alerts committed ${fmt(reader.count)}/${fmt(expected.length)}`;
        await p.kill9();
        kills.push(`${p.name} killed: ${note}`);
        phases.mark(`kill -9 ${p.name}`, note);
        await new Promise((ok) => setTimeout(ok, 1000));
        p.start();
      };
      try {
        await killWhen(processes[0], `at ≥ ${fmt(Math.round(expected.length * 0.1))} committed alerts`, async () => reader.count >= expected.length * 0.1);
        gates[0].open();
        // B dies in another phase: once A's restart has been absorbed (≥ 5 s later) and half the input is committed.
        const restartedA = Date.now();
        await killWhen(processes[1], 'at ≥ 50% of the input committed by the group, ≥ 5 s after A restarted', async () => {
          const lags = await groupLag(admin, group, input);
          return Date.now() - restartedA >= 5000 && lags.reduce((s, l) => s + Math.max(0, l.committed), 0) >= EVENTS * 0.5;
        });
      } finally {
        for (const gate of gates) gate.open();
      }
      await producing;

      const settled = await waitSettled({ admin, group, inputTopic: input, reader, processes, stallMs: STALL_MS });
      phases.mark('settled', settled.settled ? `lag 0, ${fmt(settled.alerts)} alerts` : settled.reason);

      // A graceful stop must not add anything either: compare after it.
      await Promise.all(processes.map((p) => p.stop()));
      await poll(async () => ((await reader.behind(admin)).length === 0 && Date.now() - reader.lastRecordAt > 1000 ? true : undefined), 10_000, 250);
      phases.mark('processes stopped (SIGTERM), reader caught up');

      const verdict = await judge(expected, reader, out, dir);
      comparison = verdict.comparison;
      phases.mark('read back (Java read_committed consumer)');
      const lag = await groupLag(admin, group, input);
      const report = [
        `exactly-once harness (${MODE}): ${fmt(EVENTS)} events + ${ends.length} sentinels over ${INPUT_PARTITIONS} partitions, alerts over ${ALERT_PARTITIONS}`,
        phases.format(),
        ...kills.map((k) => `  ${k}`),
        `  lag at the end: ${totalLag(lag)} (${lag.map((l) => l.lag).join(' ')})`,
        ...verdict.lines,
        `  by rule: ${JSON.stringify(comparison.byRule)}`,
        `  read_uncommitted (kafkajs) saw ${fmt(rawReader.count)} records (${fmt(rawReader.count - comparison.received)} more than read_committed: aborted or never committed)`,
        `  restarts: ${processes.map((p) => `${p.name} ×${p.starts.length - 1}`).join(', ')}; unexpected exits: ${exitsOf(processes).length}`,
      ].join('\n');
      console.log(report);

      const figures = {
        settled: settled.settled ? 'yes' : settled.reason,
        unexpectedExits: exitsOf(processes),
        lost: comparison.lost,
        duplicated: comparison.duplicated,
        unexpected: comparison.unexpected,
        duplicateIds: comparison.duplicateIds ?? 0,
        withoutId: EXACTLY_ONCE ? comparison.withoutId : 0,
        idMismatches: comparison.idMismatches ?? 0,
      };
      const ok = Object.values(figures).every((v) => v === 'yes' || v === 0 || (Array.isArray(v) && v.length === 0));
      setup.report(ok);
      if (!ok) {
        writePostMortem(dir, reader.records, comparison);
        if (EXACTLY_ONCE) await dumpStateHistory(kafka, admin, `${group}.state`, join(dir, 'state-history.ndjson'));
      }
      expect(figures, `${report}\n  samples: ${JSON.stringify(comparison.samples, null, 2)}`).toEqual({
        settled: 'yes',
        unexpectedExits: [],
        lost: 0,
        duplicated: 0,
        unexpected: 0,
        duplicateIds: 0,
        withoutId: 0,
        idMismatches: 0,
      });
    } catch (error) {
      setup.report(false);
      throw error;
    } finally {
      await cleanup(processes, [() => reader.close(), () => rawReader.close(), () => stream.close()]);
    }
  }, 300_000);

  it.concurrent('one process killed with SIGKILL and restarted completes matches begun before the kill, each once', async ({ expect }) => {
    const { kafka, admin, dir: logRoot } = setup;
    const phases = new Phases();
    const dir = mkdtempSync(join(logRoot, 'single-'));
    const [input, out, group] = [uniqueName('eos1-in'), uniqueName('eos1-alerts'), uniqueName('eos1-cep')];
    await createTopic(admin, input, 2);
    await createTopic(admin, out, 1);
    // Keys placed on chosen partitions, so that each partition's own watermark does what is said below.
    const keyOn = (partition: number, name: string): string => {
      let i = 0;
      while (partitionOf(`${name}-${i}`, 2) !== partition) i++;
      return `${name}-${i}`;
    };
    const [done, takeover, withdrawn, pending] = ['done', 'takeover', 'withdrawn', 'pending'].map((n) => keyOn(0, n));
    const [guessed, reset, probed] = ['guessed', 'reset', 'probed'].map((n) => keyOn(1, n));
    const T = Date.UTC(2024, 5, 1, 12);
    let seq = 0;
    const ev = (s: number, account: string, type: string, fields: Record<string, unknown> = {}): BankEvent => ({ type, ts: T + s * 1000, account, seq: seq++, ...fields });
    const byTime = (xs: BankEvent[]): BankEvent[] => xs.sort((a, b) => a.ts - b.ts);
    // Before the kill (event time T+0 … T+59 s). `done` completes a match before the kill (its alert
    // must not come again); each other key starts a match the kill interrupts.
    const before = byTime([
      ev(0, done, 'withdraw_request', { amount: 100 }),
      ev(10, done, 'withdraw_confirm', { amount: 100 }),
      ev(1, guessed, 'login_failed', { ip: '10.0.0.1' }),
      ev(2, guessed, 'login_failed', { ip: '10.0.0.1' }),
      ev(3, guessed, 'login_failed', { ip: '10.0.0.1' }),
      ev(5, reset, 'password_reset', { channel: 'sms' }),
      ev(20, probed, 'txn', { amount: 0.5, merchant: 'm1' }),
      ev(30, probed, 'txn', { amount: 0.7, merchant: 'm1' }),
      ev(40, probed, 'txn', { amount: 1.1, merchant: 'm2' }),
      ev(55, takeover, 'login', { ip: '10.0.0.9' }),
      ev(58, withdrawn, 'withdraw_request', { amount: 250 }),
      ev(59, pending, 'withdraw_request', { amount: 75 }),
    ]);
    // After the restart (T+80 s …): the rest of each match, then a sentinel per partition.
    const after = byTime([
      ev(80, takeover, 'transfer', { amount: 2000, to: 'acct-1' }),
      ev(90, guessed, 'login', { ip: '10.0.0.1' }),
      ev(100, withdrawn, 'withdraw_confirm', { amount: 250 }),
      ev(110, probed, 'txn', { amount: 900, merchant: 'm3' }),
    ]);
    const ends = sentinels(2, after[after.length - 1].ts, 1_000_000);
    const file = join(dir, 'events.ndjson');
    writeNdjson(file, [...before, ...after, ...ends.map((s) => s.event)]);
    const expected = (await referenceAlerts(RULES, file, join(dir, 'reference.ndjson'))).alerts;
    // The reference has one alert per key: the matches the kill interrupts, and `done`'s.
    const summary = (alerts: readonly AlertJson[]): string[] => alerts.map((a) => `${String(a.key).replace(/-\d+$/, '')} ${String(a.rule)} ${String(a.kind)}`).sort();
    expect(summary(expected)).toEqual([
      'done withdrawal match',
      'guessed guessed_password match',
      'pending withdrawal timeout',
      'probed card_testing match',
      'reset abandoned_reset match',
      'takeover login_then_transfer match',
      'withdrawn withdrawal match',
    ]);
    phases.mark('data and reference', `${expected.length} alerts`);

    const reader = await AlertReader.start(kafka, out, 'read_committed');
    const stream = new EventStream(kafka, input);
    const cep = new CepProcess('single', liveRunArgs({ rules: RULES, brokers: brokers(), inputTopic: input, group, alertTopic: out, exactlyOnce: EXACTLY_ONCE }), dir);
    try {
      cep.start();
      await stream.send(before);
      const first = await poll(() => (reader.count > 0 ? reader.count : undefined), 30_000);
      phases.mark('first alert committed', first === undefined ? 'none in 30 s' : `${first}`);
      // Wait for the commit that holds the interrupted partial matches: the group's lag reaches 0
      // (with --exactly-once the offsets are committed with the state); at least 2 s (4 commit intervals).
      const committed = await poll(async () => (totalLag(await groupLag(admin, group, input)) === 0 ? true : undefined), 8_000, 250);
      await new Promise((ok) => setTimeout(ok, 2000));
      phases.mark('input committed', committed ? 'lag 0' : `lag ${totalLag(await groupLag(admin, group, input))} after 8 s`);

      await cep.kill9();
      await stream.send(after);
      await stream.sendSentinels(ends);
      cep.start();
      phases.mark('kill -9, produce the rest, restart');

      const settled = await waitSettled({ admin, group, inputTopic: input, reader, processes: [cep], timeoutMs: 60_000, stallMs: STALL_MS });
      phases.mark('settled', settled.settled ? 'lag 0' : settled.reason);
      await cep.stop();
      await poll(async () => ((await reader.behind(admin)).length === 0 && Date.now() - reader.lastRecordAt > 1000 ? true : undefined), 10_000, 250);
      phases.mark('stopped');

      const { comparison, lines } = await judge(expected, reader, out, dir);
      const report = [`exactly-once harness, single process (${MODE}):`, phases.format(), ...lines, `  kafkajs reader received: ${summary(reader.alerts()).join('; ')}`].join('\n');
      console.log(report);
      const figures = {
        settled: settled.settled ? 'yes' : settled.reason,
        unexpectedExits: exitsOf([cep]),
        lost: comparison.lost,
        duplicated: comparison.duplicated,
        unexpected: comparison.unexpected,
        duplicateIds: comparison.duplicateIds ?? 0,
      };
      const ok = figures.settled === 'yes' && figures.unexpectedExits.length === 0 && comparison.lost + comparison.duplicated + comparison.unexpected + figures.duplicateIds === 0;
      setup.report(ok);
      if (!ok) writePostMortem(dir, reader.records, comparison);
      expect(figures, `${report}\n  samples: ${JSON.stringify(comparison.samples, null, 2)}`).toEqual({ settled: 'yes', unexpectedExits: [], lost: 0, duplicated: 0, unexpected: 0, duplicateIds: 0 });
    } catch (error) {
      setup.report(false);
      throw error;
    } finally {
      await cleanup([cep], [() => reader.close(), () => stream.close()]);
    }
  }, 120_000);
});
