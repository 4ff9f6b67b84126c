/**
 * The live dashboard in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core;
 * no browser is ever downloaded): while the engine replays the SSH log at high speed into the
 * WebSocket sink, the table fills as alerts arrive and the chart grows; at the end the table holds
 * exactly the replay's alerts, newest first, the filters and details work, the counters show the
 * engine's figures, and the page reconnects by itself after a server restart. A screenshot is
 * saved to test-artifacts/dashboard.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import type { AlertSink } from '../../src/alerts/sink.js';
import { startAlertServer, type AlertServer } from '../../src/alerts/ws-sink.js';
import { runEngine } from '../../src/runtime/engine.js';
import { loadRules } from '../../src/runtime/load-rules.js';
import { NdjsonSource } from '../../src/runtime/sources/ndjson.js';
import { DATA_DIR } from './fixtures.js';

const TOKEN = 'dashboard-test-token';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser;
let server: AlertServer;
let page: Page;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  server = await startAlertServer({ token: TOKEN });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The server as an engine sink that the engine's end-of-run close leaves open (the page keeps its feed). */
const keepOpen = (s: AlertServer): AlertSink => ({ write: (a) => s.write(a), stats: (x) => s.stats!(x), close: async () => undefined });
const rowCount = (): Promise<number> => page.locator('#alerts tbody tr').count();
/** Alerts plotted by the chart (the page exposes the sum of its buckets). */
const chartAlerts = async (): Promise<number> => Number((await page.locator('#chart').getAttribute('data-alerts')) ?? '0');

describe('dashboard', () => {
  it('shows the alerts of a replay as they arrive, with the chart and counters', async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const consoleErrors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(server.dashboardUrl);
    await page.locator('#status[data-state="open"]').waitFor({ timeout: 10_000 });

    // ~4 h of SSH log at 2000× event time: about 7 s of wall clock.
    const collected: Alert[] = [];
    const run = runEngine({
      rules: loadRules(['examples/rules/ssh.cep']),
      sources: [new NdjsonSource(join(DATA_DIR, 'ssh-auth.ndjson'))],
      sinks: [keepOpen(server), { write: (a) => void collected.push(a), close: async () => undefined }],
      speed: 2000,
    });
    const rows: number[] = [];
    const points: number[] = [];
    let finished = false;
    void run.finally(() => { finished = true; });
    while (!finished) {
      rows.push(await rowCount());
      points.push(await chartAlerts());
      await new Promise((r) => setTimeout(r, 250));
    }
    const summary = await run;
    expect(summary.alerts).toBe(collected.length);
    expect(collected.length).toBeGreaterThan(20);
    await expect.poll(rowCount, { timeout: 5000 }).toBe(collected.length);

    // Arrived progressively: several intermediate sizes, never shrinking; the chart grew with them.
    const intermediate = new Set(rows.filter((n) => n > 0 && n < collected.length));
    expect(intermediate.size).toBeGreaterThanOrEqual(3);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect(new Set(points.filter((n) => n > 0 && n < collected.length)).size).toBeGreaterThanOrEqual(2);
    expect(points).toEqual([...points].sort((a, b) => a - b));
    await expect.poll(chartAlerts, { timeout: 5000 }).toBe(collected.length);

    // Newest first: the first row is the last alert.
    const last = collected[collected.length - 1];
    const firstRow = await page.locator('#alerts tbody tr').first().locator('td').allTextContents();
    expect(firstRow.slice(0, 5)).toEqual([last.end, last.rule, last.severity, last.kind, String(last.key)]);

    // Counters pushed over the socket: the engine's final figures.
    await expect.poll(() => page.locator('#c-events').textContent(), { timeout: 5000 }).toBe('2,000');
    expect(await page.locator('#c-alerts').textContent()).toBe(collected.length.toLocaleString('en-US'));
    expect(await page.locator('#c-late').textContent()).toBe('0');

    // Filter by rule, then the details of a matched alert on click.
    const breakIns = collected.filter((a) => a.rule === 'ssh_break_in');
    await page.locator('#f-rule').selectOption('ssh_break_in');
    expect(await rowCount()).toBe(breakIns.length);
    await page.locator('#alerts tbody tr').first().click();
    const details = JSON.parse((await page.locator('#details-body').textContent()) ?? '{}') as Pick<Alert, 'fields' | 'events'>;
    const newestBreakIn = breakIns[breakIns.length - 1];
    expect(details).toEqual({ fields: newestBreakIn.fields, events: newestBreakIn.events });
    await page.locator('#f-rule').selectOption('');
    await page.locator('#f-key').fill(String(newestBreakIn.key));
    expect(await rowCount()).toBe(collected.filter((a) => String(a.key).includes(String(newestBreakIn.key))).length);
    await page.locator('#f-key').fill('');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: false });
    expect(consoleErrors).toEqual([]);
  });

  it('reconnects by itself after the server restarts', async () => {
    const port = server.port;
    await server.close();
    await page.locator('#status[data-state="closed"]').waitFor({ timeout: 10_000 });
    server = await startAlertServer({ token: TOKEN, port });
    await page.locator('#status[data-state="open"]').waitFor({ timeout: 15_000 });
    // The new server has no history: the page now shows what it replays, then the live feed.
    await expect.poll(rowCount, { timeout: 5000 }).toBe(0);
    const alert: Alert = { rule: 'after_restart', severity: 'low', kind: 'match', key: 'k', start: '2015-12-10T12:00:00.000Z', end: '2015-12-10T12:00:00.000Z', fields: {}, events: {}, id: 'after-restart' };
    server.write(alert);
    await expect.poll(rowCount, { timeout: 5000 }).toBe(1);
    expect(await page.locator('#alerts tbody tr td').nth(1).textContent()).toBe('after_restart');
  });
});
