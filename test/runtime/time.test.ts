import { describe, expect, it } from 'vitest';
import { parseDuration, parseIsoTime, timeFormatReader, toEventTime } from '../../src/runtime/time.js';

describe('parseDuration', () => {
  it('reads units and sums', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('0')).toBe(0);
  });
  it('rejects what is not a duration, naming it', () => {
    for (const bad of ['', '10', 's', '10x', '5 s', '-1s', '1h30']) expect(() => parseDuration(bad)).toThrow(`'${bad}' is not a duration`);
  });
});

describe('event time', () => {
  it('reads ISO-8601 with Z, with an offset, and without a zone as UTC', () => {
    expect(parseIsoTime('2015-12-10T06:55:46Z')).toBe(Date.UTC(2015, 11, 10, 6, 55, 46));
    expect(parseIsoTime('2015-12-10T06:55:46.123Z')).toBe(Date.UTC(2015, 11, 10, 6, 55, 46, 123));
    expect(parseIsoTime('2015-12-10T08:55:46+02:00')).toBe(Date.UTC(2015, 11, 10, 6, 55, 46));
    expect(parseIsoTime('2015-12-10T01:25:46-0530')).toBe(Date.UTC(2015, 11, 10, 6, 55, 46));
    expect(parseIsoTime('2015-12-10T06:55:46')).toBe(Date.UTC(2015, 11, 10, 6, 55, 46));
    expect(parseIsoTime('2015-12-10')).toBe(Date.UTC(2015, 11, 10));
  });
  it('reads the years 0000 to 0099 as themselves (Date.UTC made them 1900 to 1999)', () => {
    expect(new Date(parseIsoTime('0000-01-01T00:00:00Z')).toISOString()).toBe('0000-01-01T00:00:00.000Z');
    expect(new Date(parseIsoTime('0050-03-01T12:00:00+01:00')).toISOString()).toBe('0050-03-01T11:00:00.000Z');
    expect(new Date(parseIsoTime('0099-12-31T23:59:59.999Z')).toISOString()).toBe('0099-12-31T23:59:59.999Z');
    expect(new Date(parseIsoTime('0004-02-29')).toISOString()).toBe('0004-02-29T00:00:00.000Z');
    expect(parseIsoTime('0100-02-29')).toBeNaN();
  });
  it('reads 24:00:00 as the end of its day and a leap second (second 60, ending a minute) as the second after :59', () => {
    expect(parseIsoTime('2016-12-31T24:00:00Z')).toBe(Date.UTC(2017, 0, 1));
    expect(parseIsoTime('2016-12-31T23:59:60Z')).toBe(Date.UTC(2017, 0, 1));
    expect(parseIsoTime('2016-12-31T23:59:60.500Z')).toBe(Date.UTC(2017, 0, 1, 0, 0, 0, 500));
    expect(parseIsoTime('2017-01-01T00:59:60+01:00')).toBe(Date.UTC(2017, 0, 1));
    for (const bad of ['2016-12-31T24:30:00Z', '2016-12-31T24:00:01Z', '2016-12-31T24:00:00.001Z', '2016-12-31T12:30:60Z', '2015-02-30T24:00:00Z']) expect(parseIsoTime(bad)).toBeNaN();
  });
  it('rejects an offset beyond 23:59', () => {
    expect(parseIsoTime('2016-12-31T12:00:00+23:59')).toBe(Date.UTC(2016, 11, 30, 12, 1));
    for (const bad of ['2016-12-31T12:00:00+99:99', '2016-12-31T12:00:00+24:00', '2016-12-31T12:00:00-0060']) expect(parseIsoTime(bad)).toBeNaN();
  });
  it('rejects text that is not ISO-8601 or an impossible date', () => {
    for (const bad of ['12/10/2015 06:55', 'yesterday', '2015-13-01T00:00:00Z', '2015-02-30T00:00:00Z', '']) expect(parseIsoTime(bad)).toBeNaN();
  });
  it('takes epoch ms numbers and refuses other types', () => {
    expect(toEventTime(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(toEventTime(null)).toBeNaN();
    expect(toEventTime(undefined)).toBeNaN();
    expect(toEventTime(Infinity)).toBeNaN();
    expect(toEventTime(true)).toBeNaN();
  });
});

describe('timeFormatReader (--time-format)', () => {
  it('reads times in the format, UTC without an offset, at the offset with one; a number by its digits', async () => {
    const mdy = await timeFormatReader('M/d/yyyy H:mm');
    expect(mdy.read('10/2/2017 10:56')).toBe(Date.UTC(2017, 9, 2, 10, 56));
    expect([mdy.read('2/30/2017 10:56'), mdy.read('2017-10-02T10:56Z'), mdy.read(null), mdy.read(12)]).toEqual([NaN, NaN, NaN, NaN]);
    expect(mdy.mismatch).toBe("does not match --time-format 'M/d/yyyy H:mm'");
    const zoned = await timeFormatReader('yyyy-MM-dd HH:mm:ss ZZ');
    expect(zoned.read('2017-10-02 10:56:00 +02:00')).toBe(Date.UTC(2017, 9, 2, 8, 56));
    const digits = await timeFormatReader('yyyyMMddHHmm');
    expect(digits.read(201710021056)).toBe(Date.UTC(2017, 9, 2, 10, 56));
  });

  it('a format that cannot write and read back a whole date is refused', async () => {
    await expect(timeFormatReader('HH:mm')).rejects.toThrow(`--time-format 'HH:mm' does not read back a whole date (it wrote "10:56" for 2017-10-02T10:56:07.123Z)`);
  });
});
