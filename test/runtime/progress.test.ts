import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, formatSummary } from '../../src/runtime/progress.js';

const summary = {
  events: 1_234_567,
  badRecords: 3,
  lateEvents: 2,
  alerts: 15,
  alertsByRule: { a: 10, b: 5 },
  droppedPartialMatches: {},
  evictedKeys: 0,
  evictedPartialMatches: 0,
  conditionErrors: 0,
  elapsedMs: 2_500,
  eventsPerSecond: 493_826.8,
  interrupted: false,
  misaligned: 0,
};

describe('summary and progress', () => {
  it('prints one summary line with events, bad records, late events, alerts per rule and events/s', () => {
    expect(formatSummary(summary)).toBe('cep: 1,234,567 events, 3 bad records, 2 late events, 15 alerts (a 10, b 5), 493,827 events/s in 2.50 s');
  });

  it('adds a line per kind of loss, never silent', () => {
    const text = formatSummary({ ...summary, droppedPartialMatches: { a: 7 }, evictedKeys: 2, evictedPartialMatches: 4, conditionErrors: 1, misaligned: 5, interrupted: true });
    expect(text.split('\n')).toEqual([
      expect.stringMatching(/\(interrupted\)$/),
      'cep: rule a dropped 7 partial matches at --max-partial-matches',
      'cep: 2 keys with 4 partial matches were evicted at --max-keys',
      expect.stringMatching(/^cep: 5 Kafka events had a key .* other than their record key/),
      'cep: 1 condition evaluation failed (counted as false)',
    ]);
  });

  it('says 1 alert, 1 event, 1 key, 1 partial match: singular for exactly one', () => {
    const one = { ...summary, events: 1, badRecords: 1, lateEvents: 1, alerts: 1, alertsByRule: { a: 1 }, droppedPartialMatches: { a: 1 }, evictedKeys: 1, evictedPartialMatches: 1 };
    expect(formatSummary(one).split('\n')).toEqual([
      'cep: 1 event, 1 bad record, 1 late event, 1 alert (a 1), 493,827 events/s in 2.50 s',
      'cep: rule a dropped 1 partial match at --max-partial-matches',
      'cep: 1 key with 1 partial match was evicted at --max-keys',
    ]);
  });

  it('warns when every record was bad (a time format the input does not use, say)', () => {
    expect(formatSummary({ ...summary, events: 0, badRecords: 9_999, lateEvents: 0, alerts: 0, alertsByRule: { a: 0 } }).split('\n')[1]).toBe(
      'cep: warning: every record was a bad record, so no rule saw an event: are --time-field, --time-format and --format right for this input?',
    );
  });

  it('writes nothing on a non-terminal for a short run', () => {
    const out = new PassThrough() as unknown as NodeJS.WriteStream;
    let written = '';
    (out as unknown as PassThrough).on('data', (d: Buffer) => (written += d.toString()));
    const progress = createProgress(out);
    progress.update({ bytesRead: 10, totalBytes: 100, stats: { events: 1, eventsPerSecond: 1, badRecords: 0, lateEvents: 0, alerts: 0, alertsByRule: {}, watermark: 0, watermarkLag: 0, partialMatches: 0, keys: 0 } });
    progress.stop();
    expect(written).toBe('');
  });
});
