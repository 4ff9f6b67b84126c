/**
 * The long exactly-once run, by hand (issue 11, "Done means"): `npm run soak [-- options]`.
 *
 * A live stream of keyed events (test/live/eos/data.ts) is produced at a steady pace to a
 * 6-partition topic while `cep run --exactly-once` processes of one group are started, killed with
 * SIGKILL (13 times, once two members together), scaled 1 → 3 → 1 (one member leaves with
 * SIGTERM, one by a crash that is not restarted) and killed once more while the end-of-stream
 * sentinels fire every pending deadline. Each step runs once the group has committed its share of
 * the input and at least 10 s after the previous one, so the members make progress between kills
 * (a group that stops committing abandons the schedule, reported as a failure). A supervisor
 * restarts a member that exits by itself (a crash is counted and reported, never hidden). Once
 * settled (lag 0, the read_committed reader at the end and quiet), the alert topic as Kafka's Java
 * consumer reads it with `read_committed` is compared with `cep run --input` on the same events
 * (and any difference of the kafkajs reader is reported), and the figures are printed. Exit code
 * 0 when 0 lost, 0 duplicated, 0 unexpected, no duplicate id and no crash;
 * 1 otherwise.
 *
 * Options:
 *   --events N        events before the sentinels (default 300000)
 *   --rate N          events per second produced (default 1500: the stream outlasts the schedule's ~14 steps × ≥ 10 s)
 *   --brokers H:P     use this broker (default: $KAFKA_BROKERS, else start one with scripts/kafka/broker.ts)
 *   --at-least-once   leave out --exactly-once (the at-least-once mode, expected to fail)
 *   --keep            keep the work folder (events, reference, process logs) even when all is well
 *
 * Needs the built CLI (`npm run soak` builds first).
 */
// First: the kafkajs read_committed fix, before anything loads kafkajs (the kafkajs reader uses it).
import '../../src/alerts/kafkajs-read-committed.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { startBroker, type Broker } from '../kafka/broker.js';
import { AlertReader } from '../../test/live/eos/alert-reader.js';
import { CepProcess, liveRunArgs } from '../../test/live/eos/cep-process.js';
import { compareAlerts, formatComparison } from '../../test/live/eos/compare.js';
import { generateEvents, sentinels, writeNdjson } from '../../test/live/eos/data.js';
import { createTopic, groupLag, Phases, poll, referenceAlerts, totalLag, waitSettled, writePostMortem } from '../../test/live/eos/harness.js';
import { readWithJava } from '../../test/live/eos/java-reader.js';
import { EventStream, harnessKafka } from '../../test/live/eos/producer.js';
import { dumpStateHistory } from '../../test/live/eos/state-dump.js';

const { values: opts } = parseArgs({
  options: {
    events: { type: 'string', default: '300000' },
    rate: { type: 'string', default: '1500' },
    brokers: { type: 'string' },
    'at-least-once': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const EVENTS = Number(opts.events);
const RATE = Number(opts.rate);
if (!Number.isInteger(EVENTS) || EVENTS < 1000 || !(RATE > 0)) {
  process.stderr.write('usage: npm run soak -- [--events N≥1000] [--rate N] [--brokers HOST:PORT] [--at-least-once] [--keep]\n');
  process.exit(2);
}
const EXACTLY_ONCE = !opts['at-least-once'];
const RULES = 'test/live/eos/rules.cep';
const INPUT_PARTITIONS = 6;
const ALERT_PARTITIONS = 3;
const RESTART_DELAY_MS = 1000;
/** Steps are at least this far apart: a session timeout (6 s) plus time to restore and commit. */
const MIN_STEP_GAP_MS = 10_000;
/** A step whose share of the input is not committed within this long abandons the schedule (reported). */
const STEP_TIMEOUT_MS = 180_000;

const fmt = (n: number): string => n.toLocaleString('en-US');
const pct = (part: number, whole: number): string => `${whole === 0 ? 0 : Math.round((100 * part) / whole)}%`;
const t0 = Date.now();
const log = (line: string): void => void process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(7)} s] ${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

/** What happens once the group has committed `at` of the input (1: once the sentinels are sent and 97% is committed). */
type Step = { at: number; what: string; act: (m: Members) => Promise<void> };

/** The members (processes) of the group, with a supervisor that restarts those that crash. */
class Members {
  readonly all: CepProcess[];
  /** Members that should be running (a crashed one among them is restarted). */
  readonly wanted = new Set<CepProcess>();
  private readonly handled = new Map<CepProcess, number>();
  kills = 0;
  crashRestarts = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(args: string[], dir: string) {
    this.all = ['A', 'B', 'C'].map((name) => new CepProcess(name, args, dir));
    this.timer = setInterval(() => this.supervise(), 500);
  }

  byName(name: string): CepProcess {
    return this.all.find((p) => p.name === name)!;
  }

  start(name: string): void {
    const p = this.byName(name);
    this.wanted.add(p);
    p.start();
  }

  /** kill -9 the named members together; restart them after a second unless `stayDown`. */
  async kill(names: string[], stayDown = false): Promise<void> {
    const ps = names.map((n) => this.byName(n));
    if (stayDown) for (const p of ps) this.wanted.delete(p);
    await Promise.all(ps.map((p) => p.kill9()));
    this.kills += ps.length;
    if (stayDown) return;
    await sleep(RESTART_DELAY_MS);
    for (const p of ps) if (!p.alive) p.start();
  }

  /** Graceful leave (SIGTERM): scale in. */
  async stop(name: string): Promise<void> {
    const p = this.byName(name);
    this.wanted.delete(p);
    await p.stop();
  }

  running(): CepProcess[] {
    return this.all.filter((p) => p.alive);
  }

  private supervise(): void {
    for (const p of this.wanted) {
      const crashes = p.unexpectedExits().length;
      if (crashes > (this.handled.get(p) ?? 0) && !p.alive) {
        this.handled.set(p, crashes);
        this.crashRestarts++;
        log(`${p.name} exited by itself (${p.unexpectedExits().at(-1)?.code ?? p.unexpectedExits().at(-1)?.signal}); restarting it`);
        p.start();
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled(this.all.map((p) => p.stop(10_000)));
  }
}

const SCHEDULE: Step[] = [
  { at: 0.06, what: 'kill -9 A (alone)', act: (m) => m.kill(['A']) },
  { at: 0.14, what: 'kill -9 A (alone)', act: (m) => m.kill(['A']) },
  { at: 0.2, what: 'scale out 1 → 3: start B and C', act: async (m) => { m.start('B'); m.start('C'); } },
  { at: 0.26, what: 'kill -9 B', act: (m) => m.kill(['B']) },
  { at: 0.32, what: 'kill -9 A', act: (m) => m.kill(['A']) },
  { at: 0.38, what: 'kill -9 C', act: (m) => m.kill(['C']) },
  { at: 0.44, what: 'kill -9 B and C together', act: (m) => m.kill(['B', 'C']) },
  { at: 0.52, what: 'kill -9 A', act: (m) => m.kill(['A']) },
  { at: 0.6, what: 'kill -9 C', act: (m) => m.kill(['C']) },
  { at: 0.68, what: 'scale in 3 → 2: B leaves (SIGTERM)', act: (m) => m.stop('B') },
  { at: 0.72, what: 'scale in 2 → 1: C crashes (kill -9, not restarted)', act: (m) => m.kill(['C'], true) },
  { at: 0.8, what: 'kill -9 A (alone)', act: (m) => m.kill(['A']) },
  { at: 0.9, what: 'kill -9 A (alone)', act: (m) => m.kill(['A']) },
  { at: 1, what: 'kill -9 A while the sentinels fire the deadlines', act: (m) => m.kill(['A']) },
];

async function main(): Promise<number> {
  const phases = new Phases();
  let broker: Broker | null = null;
  const given = opts.brokers ?? process.env.KAFKA_BROKERS;
  if (given === undefined) {
    broker = await startBroker();
    phases.mark('broker started', broker.bootstrap);
  }
  const brokers = [given ?? broker!.bootstrap];
  const dir = mkdtempSync(join(tmpdir(), 'cep-soak-'));
  const kafka = harnessKafka(brokers, 'cep-soak');
  const admin = kafka.admin();
  await admin.connect();
  const id = randomBytes(3).toString('hex');
  const [input, out, group] = [`soak-in-${id}`, `soak-alerts-${id}`, `soak-cep-${id}`];
  let members: Members | null = null;
  const closers: (() => Promise<void>)[] = [];
  try {
    await createTopic(admin, input, INPUT_PARTITIONS);
    await createTopic(admin, out, ALERT_PARTITIONS);
    const events = generateEvents({ events: EVENTS, seed: 2024 });
    const ends = sentinels(INPUT_PARTITIONS, events[events.length - 1].ts, events.length);
    const file = join(dir, 'events.ndjson');
    writeNdjson(file, [...events, ...ends.map((s) => s.event)]);
    phases.mark('data', `${fmt(EVENTS)} events, ${fmt(new Set(events.map((e) => e.account)).size)} keys, ${ends.length} sentinels`);
    const { alerts: expected, summary } = await referenceAlerts(RULES, file, join(dir, 'reference.ndjson'));
    phases.mark('reference (cep run --input)', summary.replace(/^cep: /, ''));

    const reader = await AlertReader.start(kafka, out, 'read_committed');
    const raw = await AlertReader.start(kafka, out, 'read_uncommitted');
    const stream = new EventStream(kafka, input);
    closers.push(() => reader.close(), () => raw.close(), () => stream.close());
    const m = new Members(liveRunArgs({ rules: RULES, brokers, inputTopic: input, group, alertTopic: out, exactlyOnce: EXACTLY_ONCE }), dir);
    members = m;
    log(`mode ${EXACTLY_ONCE ? 'exactly-once' : 'at-least-once'}; broker ${brokers[0]}; group ${group}; work folder ${dir}`);
    m.start('A');
    const streamStart = Date.now();

    // The producer streams at its pace in the background; each step of the schedule runs once the
    // group has committed its share of the input (so the members make progress between kills),
    // at least MIN_STEP_GAP_MS after the previous step. The last step waits for the sentinels.
    let sentinelsSent = false;
    const producing = (async () => {
      const slice = Math.max(1000, Math.floor(EVENTS / 100));
      for (let i = 0; i < events.length; i += slice) {
        const due = streamStart + (i / RATE) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
        await stream.send(events.slice(i, i + slice));
      }
      await stream.sendSentinels(ends);
      sentinelsSent = true;
      phases.mark('stream produced', `${fmt(EVENTS)} events at ≤ ${fmt(RATE)}/s, then the sentinels`);
    })();
    const kills: string[] = [];
    let lastStep = Date.now();
    let stalled = '';
    let lastLog = 0;
    for (const step of SCHEDULE) {
      const reached = await poll(async () => {
        const lags = await groupLag(admin, group, input);
        const committed = lags.reduce((s, l) => s + Math.max(0, l.committed), 0);
        if (Date.now() - lastLog > 10_000) {
          lastLog = Date.now();
          log(`produced ${fmt(stream.produced)}; input committed ${fmt(committed)}; running ${m.running().map((p) => p.name).join('')}; alerts ${fmt(reader.count)}`);
        }
        const due = step.at < 1 ? committed >= step.at * EVENTS : sentinelsSent && committed >= 0.97 * EVENTS;
        return due && Date.now() - lastStep >= MIN_STEP_GAP_MS ? committed : undefined;
      }, STEP_TIMEOUT_MS, 250);
      if (reached === undefined) {
        stalled = `the group did not commit ${step.at < 1 ? pct(step.at * EVENTS, EVENTS) : '97%'} of the input within ${STEP_TIMEOUT_MS / 1000} s; schedule abandoned before "${step.what}"`;
        log(stalled);
        break;
      }
      const where = `produced ${pct(stream.produced, EVENTS)}, input committed ${pct(reached, EVENTS)}, alerts ${fmt(reader.count)}/${fmt(expected.length)}`;
      log(`${step.what} (${where})`);
      kills.push(`${step.what}: ${where}`);
      await step.act(m);
      lastStep = Date.now();
    }
    await producing;

    const settled = await waitSettled({ admin, group, inputTopic: input, reader, processes: m.running(), timeoutMs: 600_000, stallMs: 60_000, quietMs: 3000 });
    const settledAt = Date.now();
    phases.mark('settled', settled.settled ? `lag 0, ${fmt(settled.alerts)} alerts` : settled.reason);
    await m.close();
    await poll(async () => ((await reader.behind(admin)).length === 0 && Date.now() - reader.lastRecordAt > 1000 ? true : undefined), 15_000, 250);
    phases.mark('stopped, reader caught up');

    // The verdict reads the topic with Kafka's own Java consumer (the reference read_committed);
    // the kafkajs reader that drove the run is compared too, and any difference reported.
    const viaKafkajs = compareAlerts(expected, reader.alerts());
    const java = await readWithJava(brokers, out, join(dir, 'read-committed.java.ndjson'));
    const c = typeof java === 'string' ? viaKafkajs : compareAlerts(expected, java.records.map((r) => r.value));
    const readers =
      typeof java === 'string'
        ? [`read_committed (kafkajs; no Java reading: ${java}): ${formatComparison(c)}`]
        : [
            `read_committed (Kafka's Java consumer): ${formatComparison(c)}`,
            java.records.length === reader.count && viaKafkajs.duplicated === c.duplicated && viaKafkajs.lost === c.lost
              ? `read_committed (kafkajs reader): the same ${fmt(reader.count)} records`
              : `read_committed (kafkajs reader) DIFFERS: ${formatComparison(viaKafkajs)}`,
          ];
    phases.mark('read back (Java read_committed consumer)');
    const crashes = m.all.flatMap((p) => p.unexpectedExits().map((e) => `${p.name}#${e.incarnation}: code ${e.code}, signal ${e.signal}: ${e.stderrTail.trim().split('\n').slice(-3).join(' | ')}`));
    const seconds = (settledAt - streamStart) / 1000;
    const lines = [
      '',
      `exactly-once soak (${EXACTLY_ONCE ? '--exactly-once' : 'at-least-once'}): ${fmt(EVENTS)} keyed events over ${INPUT_PARTITIONS} partitions, ${fmt(expected.length)} reference alerts`,
      'phases:',
      phases.format(),
      `schedule (${m.kills} kill -9, ${kills.length} steps):`,
      ...kills.map((k) => `  ${k}`),
      `stream start to settled: ${seconds.toFixed(1)} s (${fmt(Math.round(EVENTS / seconds))} events/s end to end, producer paced at ${fmt(RATE)}/s)`,
      `restarts: ${m.all.map((p) => `${p.name} ${p.starts.length} starts`).join(', ')}; crashes restarted by the supervisor: ${m.crashRestarts}`,
      `lag at the end: ${totalLag(settled.lag)}`,
      ...readers,
      `by rule: ${JSON.stringify(c.byRule)}`,
      `read_uncommitted (kafkajs): ${fmt(raw.count)} records (${fmt(raw.count - c.received)} in aborted or unfinished transactions)`,
      ...(stalled === '' ? [] : [`schedule: ${stalled}`]),
      ...(crashes.length > 0 ? ['crashes:', ...crashes.map((x) => `  ${x}`)] : ['crashes: none']),
      ...(c.lost + c.duplicated + c.unexpected > 0 ? [`samples: ${JSON.stringify(c.samples, null, 2)}`] : []),
    ];
    process.stdout.write(lines.join('\n') + '\n');
    const ok = stalled === '' && settled.settled && c.lost === 0 && c.duplicated === 0 && c.unexpected === 0 && (c.duplicateIds ?? 0) === 0 && crashes.length === 0;
    process.stdout.write(`${ok ? 'PASS' : 'FAIL'}: ${c.lost} lost, ${c.duplicated} duplicated, ${c.unexpected} unexpected, ${c.duplicateIds ?? 'no'} duplicate ids, ${crashes.length} crashes${settled.settled ? '' : `; ${settled.reason}`}\n`);
    if (ok && !opts.keep) rmSync(dir, { recursive: true, force: true });
    else {
      const timeline = join(dir, 'timeline.txt');
      const rows = m.all.flatMap((p) => p.starts.map((at, i) => ({ at, line: `${new Date(at).toISOString()} start ${p.name}#${i + 1}` })).concat(p.exits.map((e) => ({ at: e.at, line: `${new Date(e.at).toISOString()} exit  ${p.name}#${e.incarnation} (${e.signal ?? `code ${e.code}`}${e.expected ? '' : ', by itself'})` }))));
      writeFileSync(timeline, rows.sort((a, b) => a.at - b.at).map((r) => r.line).join('\n') + '\n');
      const files = [...writePostMortem(dir, reader.records, c), timeline];
      if (EXACTLY_ONCE) {
        const history = join(dir, 'state-history.ndjson');
        const written = await dumpStateHistory(kafka, admin, `${group}.state`, history);
        files.push(typeof written === 'number' ? history : `no state history (${written})`);
      }
      process.stdout.write(`work folder kept: ${dir} (also ${files.join(', ')})\n`);
    }
    return ok ? 0 : 1;
  } finally {
    await members?.close();
    await Promise.allSettled(closers.map((c) => c()));
    await admin.disconnect();
    await broker?.stop();
  }
}

process.exitCode = await main();
