/**
 * Fair accept under load: while a steady stream of alerts flows to connected clients, a burst of new
 * clients all get in and receive live alerts. Node 20's libuv accepts one connection per event-loop
 * iteration, so a server that spends its turns broadcasting lets new clients in one per broadcast;
 * `ws-broadcast.ts` batches alerts into rounds at most 20 a second and runs each round in time
 * slices (its steps 2 and 3).
 *
 * The clients are real `ws` clients in a child process (the server keeps its event loop to itself,
 * as in production), all subscribed to everything. The figures are printed; the assertions are counts
 * against a generous deadline, so that a busy two-core machine does not make the test flaky.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startAlertServer, type AlertServer } from '../../src/alerts/ws-sink.js';
import { sshAlerts } from './fixtures.js';

/** Clients connected before the test opens the new ones. */
const STEADY = 100;
/** New clients opened while the alerts flow. */
const FRESH = 1000;
/** The stream: one alert every STREAM_MS (each in its own turn of the event loop, as a live source delivers them). */
const STREAM_MS = 10;
/** How long all the new clients may take to open and receive a live alert, ms. */
const DEADLINE_MS = 45_000;

/**
 * The client process (plain JavaScript, `node --input-type=module -e`): opens `n` clients to `url`,
 * 50 per turn of its event loop, and reports to the parent every 200 ms how many opened, how many
 * received a live alert (an alert frame after `ready`), and how many failed (with the reasons).
 */
const CLIENTS = `
import { WebSocket } from 'ws';
const [url, n] = [process.argv[1], Number(process.argv[2])];
const s = { opened: 0, live: 0, failed: 0, reasons: {}, frames: 0 };
const ALERT = Buffer.from('{"type":"alert'), READY = Buffer.from('{"type":"ready"');
let created = 0;
function open() {
  for (let k = 0; k < 50 && created < n; k++, created++) {
    const ws = new WebSocket(url, { skipUTF8Validation: true });
    let ready = false, live = false;
    ws.on('open', () => s.opened++);
    ws.on('message', (data) => {
      s.frames++;
      if (data.subarray(0, READY.length).equals(READY)) ready = true;
      else if (ready && !live && data.subarray(0, ALERT.length).equals(ALERT)) { live = true; s.live++; }
    });
    const fail = (why) => { s.failed++; s.reasons[why] = (s.reasons[why] ?? 0) + 1; };
    ws.on('unexpected-response', (_req, res) => fail('HTTP ' + res.statusCode));
    ws.on('error', (e) => fail(e.code ?? e.message));
  }
  if (created < n) setImmediate(open);
}
open();
setInterval(() => process.send(s), 200);
`;

interface Report {
  readonly opened: number;
  readonly live: number;
  readonly failed: number;
  readonly reasons: Record<string, number>;
  readonly frames: number;
}

const children: ChildProcess[] = [];
let server: AlertServer | undefined;

afterEach(async () => {
  for (const child of children.splice(0)) child.kill();
  await server?.close();
  server = undefined;
});

/** Starts `n` clients in a child process; `report()` is their latest counts. */
function clients(url: string, n: number): { report(): Report; until(pred: (r: Report) => boolean, ms: number): Promise<Report> } {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CLIENTS, url, String(n)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  let latest: Report = { opened: 0, live: 0, failed: 0, reasons: {}, frames: 0 };
  child.on('message', (r: Report) => (latest = r));
  return {
    report: () => latest,
    async until(pred, ms) {
      const deadline = Date.now() + ms;
      while (!pred(latest) && latest.failed === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      return latest;
    },
  };
}

describe('fair accept under load', () => {
  it(`opens ${FRESH} new clients while alerts stream to ${STEADY} others, and each receives live alerts`, async () => {
    server = await startAlertServer({ token: 'load-test-token-0123', maxClients: STEADY + FRESH + 10 });
    const s = server;
    const alerts = sshAlerts();

    const steady = clients(s.feedUrl, STEADY);
    expect((await steady.until((r) => r.opened === STEADY, DEADLINE_MS)).opened).toBe(STEADY);

    let written = 0;
    const stream = setInterval(() => s.write(alerts[written++ % alerts.length]), STREAM_MS);
    try {
      await new Promise((r) => setTimeout(r, 500)); // the stream is flowing
      const start = Date.now();
      const cpu = process.cpuUsage();
      const fresh = clients(s.feedUrl, FRESH);
      const allOpen = await fresh.until((r) => r.opened === FRESH, DEADLINE_MS);
      const openMs = Date.now() - start;
      const allLive = await fresh.until((r) => r.live === FRESH, DEADLINE_MS - openMs);
      const liveMs = Date.now() - start;
      const counters = s.counters();
      const { user, system } = process.cpuUsage(cpu); // the server's process (and the test's)
      console.log(
        `ws load: ${STEADY} steady clients, ${Math.round((written * 1000) / (Date.now() - start + 500))} alerts/s written; ` +
          `${allOpen.opened}/${FRESH} new clients open in ${openMs} ms, ${allLive.live}/${FRESH} with a live alert in ${liveMs} ms; ` +
          `failed ${allLive.failed} ${JSON.stringify(allLive.reasons)}; server ${JSON.stringify(counters)}, CPU ${Math.round((user + system) / 1000)} ms; ` +
          `frames received by the steady clients ${steady.report().frames}`,
      );
      expect(allLive).toMatchObject({ opened: FRESH, live: FRESH, failed: 0 });
      expect(steady.report()).toMatchObject({ opened: STEADY, live: STEADY, failed: 0 });
      expect(counters).toMatchObject({ clients: STEADY + FRESH, droppedClients: 0, rejectedUpgrades: 0 });
    } finally {
      clearInterval(stream);
    }
  }, 3 * DEADLINE_MS);
});
