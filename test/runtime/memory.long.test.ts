/**
 * A 10-million-event replay stays under 500 MB: the engine runs in a child process (so the peak
 * RSS is the replay's alone) and reports `process.resourceUsage().maxRSS`. Keys with nothing
 * pending hold no state, and the reorder buffer and timers only hold what the watermark has not
 * passed, so memory must not grow with the number of events.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const EVENTS = 10_000_000;

describe('memory', () => {
  it('replays 10 million generated events over 100,000 keys in under 500 MB', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/runtime/support/memory-child.ts', String(EVENTS)], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout) as { events: number; alerts: number; lateEvents: number; maxRssKiB: number };
    expect(result.events).toBe(EVENTS);
    expect(result.lateEvents).toBe(0);
    expect(result.alerts).toBeGreaterThan(0);
    expect(result.maxRssKiB / 1024).toBeLessThan(500);
  }, 900_000);
});
