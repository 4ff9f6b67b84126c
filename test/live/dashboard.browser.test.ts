/**
 * The live dashboard in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core;
 * no browser is ever downloaded): while the engine replays the SSH log at high speed into the
 * WebSocket sink, the table fills as alerts arrive and the chart grows; at the end the table holds
 * exactly the replay's alerts, newest first, the filters and details work, the counters show the
 * engine's figures, and the page reconnects by itself after a server restart. A page opened after
 * a replay ended shows the run's totals (the engine's counters, not the replay ring's size), the
 * watermark as "end of input", and each rule in a colour derived from its name. A screenshot is
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
/** Each rule's colour in the legend of rule totals. */
const legendColours = async (p: Page): Promise<Record<string, string>> =>
  Object.fromEntries(await p.locator('#rules li').evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-rule'), li.getAttribute('data-color')])));
/** Each rule's line colour in the chart (chart.js's own record of its datasets). */
const chartColours = (p: Page): Promise<Record<string, string>> =>
  p.evaluate(() => {
    const chart = (globalThis as unknown as { Chart: { getChart(id: string): { data: { datasets: { label: string; borderColor: string }[] } } | undefined } }).Chart.getChart('chart');
    return Object.fromEntries((chart?.data.datasets ?? []).map((d) => [d.label, d.borderColor]));
  });

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
    const lags: string[] = [];
    let finished = false;
    void run.finally(() => { finished = true; });
    while (!finished) {
      rows.push(await rowCount());
      points.push(await chartAlerts());
      lags.push((await page.locator('#c-lag').textContent()) ?? '');
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
    // Paced at 2000×, the lag is the watermark's behind the replay's clock: minutes of event time at
    // most (the log's quiet spells), never the years between the recording and now.
    const paced = lags.filter((l) => /\d/.test(l));
    expect(paced.length).toBeGreaterThan(0);
    for (const lag of paced) expect(lag).toMatch(/^-?\d+(\.\d)? (ms|s|min)$/);
    expect(await page.locator('#c-watermark').textContent()).toBe('end of input');

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

  it('shows the totals of a replay that ended before the page was opened, with colours from the rule names', async () => {
    const late = await startAlertServer({ token: TOKEN, replay: 5 });
    try {
      const summary = await runEngine({
        rules: loadRules(['examples/rules/ssh.cep']),
        sources: [new NdjsonSource(join(DATA_DIR, 'ssh-auth.ndjson'))],
        sinks: [keepOpen(late)],
      });
      expect(summary.alerts).toBeGreaterThan(5);
      const after = await browser.newPage();
      try {
        await after.goto(late.dashboardUrl);
        await after.locator('#status[data-state="open"]').waitFor({ timeout: 10_000 });
        // The page holds the 5 replayed alerts; every total is the engine's.
        await expect.poll(() => after.locator('#alerts tbody tr').count(), { timeout: 5000 }).toBe(5);
        await expect.poll(() => after.locator('#c-alerts').textContent(), { timeout: 5000 }).toBe(summary.alerts.toLocaleString('en-US'));
        expect(await after.locator('#c-events').textContent()).toBe(summary.events.toLocaleString('en-US'));
        expect(await after.locator('#c-bad').textContent()).toBe(summary.badRecords.toLocaleString('en-US'));
        expect(await after.locator('#c-watermark').textContent()).toBe('end of input');
        expect(await after.locator('#c-lag').textContent()).toBe('– (input ended)');
        expect(await after.locator('#status').textContent()).toBe('input ended');
        const totals = await after.locator('#rules li').evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-rule'), li.querySelector('.count')?.textContent]));
        expect(Object.fromEntries(totals)).toEqual(Object.fromEntries(Object.entries(summary.alertsByRule).map(([r, c]) => [r, c.toLocaleString('en-US')])));
        const colours = await legendColours(after);
        expect(new Set(Object.values(colours)).size).toBe(Object.keys(summary.alertsByRule).length);

        // Another server whose alerts name the rules in the other order: the same colour per rule,
        // in the legend and in the chart.
        const order = Object.keys(summary.alertsByRule).reverse();
        const other = await startAlertServer({ token: TOKEN });
        try {
          const base: Alert = { rule: '', severity: 'low', kind: 'match', key: 'k', start: '2015-12-10T12:00:00.000Z', end: '2015-12-10T12:00:00.000Z', fields: {}, events: {}, id: '' };
          order.forEach((rule, i) => other.write({ ...base, rule, id: `order-${i}` }));
          other.stats!({ events: 1, eventsPerSecond: 0, badRecords: 0, lateEvents: 0, alerts: order.length, alertsByRule: Object.fromEntries(order.map((r) => [r, 1])), watermark: 0, watermarkLag: null, partialMatches: 0, keys: 0 });
          const reordered = await browser.newPage();
          try {
            await reordered.goto(other.dashboardUrl);
            await expect.poll(() => reordered.locator('#alerts tbody tr').count(), { timeout: 5000 }).toBe(order.length);
            await expect.poll(() => chartColours(reordered), { timeout: 5000 }).toEqual(colours);
            expect(await legendColours(reordered)).toEqual(colours);
            expect(await reordered.locator('#c-lag').textContent()).toBe('– (replay at full speed)');
          } finally {
            await reordered.close();
          }
        } finally {
          await other.close();
        }
        // The first page's chart (its 5 replayed alerts) agrees with both.
        const plotted = await chartColours(after);
        expect(Object.keys(plotted).length).toBeGreaterThan(0);
        for (const [rule, colour] of Object.entries(plotted)) expect(colour).toBe(colours[rule]);
      } finally {
        await after.close();
      }
    } finally {
      await late.close();
    }
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
