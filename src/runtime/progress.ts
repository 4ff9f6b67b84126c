/**
 * Progress and summary on stderr (never stdout, which carries alerts). On a terminal a
 * cli-progress bar shows bytes read, events/s and alerts so far; otherwise a plain line at most
 * every 30 s, so logs stay short.
 */
import cliProgress from 'cli-progress';
import { counted } from './counted.js';
import type { Progress, Summary } from './engine.js';

/** Shows progress; `stop` clears the bar before the summary is printed. */
export interface ProgressReporter {
  update(progress: Progress): void;
  stop(): void;
}

const PLAIN_EVERY_MS = 30_000;
const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A bar on a TTY (`stream.isTTY`), plain lines otherwise. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  return stream.isTTY ? new BarProgress(stream) : new PlainProgress(stream);
}

class BarProgress implements ProgressReporter {
  private readonly bar: cliProgress.SingleBar;
  private started = false;

  constructor(stream: NodeJS.WriteStream) {
    this.bar = new cliProgress.SingleBar(
      {
        stream,
        format: 'replay |{bar}| {percentage}% | {mb} MB | {events} events | {eps} events/s | {alerts} alerts',
        hideCursor: true,
        clearOnComplete: true,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  update({ bytesRead, totalBytes, stats }: Progress): void {
    const payload = { mb: (bytesRead / 1e6).toFixed(1), events: number.format(stats.events), eps: number.format(stats.eventsPerSecond), alerts: number.format(stats.alerts) };
    const total = totalBytes ?? Math.max(bytesRead, 1);
    if (!this.started) {
      this.bar.start(total, bytesRead, payload);
      this.started = true;
    } else {
      this.bar.setTotal(total);
      this.bar.update(bytesRead, payload);
    }
  }

  stop(): void {
    if (this.started) this.bar.stop();
  }
}

class PlainProgress implements ProgressReporter {
  private last = Date.now();

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update({ stats }: Progress): void {
    const now = Date.now();
    if (now - this.last < PLAIN_EVERY_MS) return;
    this.last = now;
    this.stream.write(`cep: ${counted(stats.events, 'event')}, ${counted(stats.alerts, 'alert')}, ${number.format(stats.eventsPerSecond)} events/s\n`);
  }

  stop(): void {}
}

/**
 * The summary of a run, e.g. `cep: 2,000 events, 0 bad records, 0 late events, 14 alerts
 * (ssh_brute_force 10, ssh_break_in 4), 52,310 events/s in 0.04 s`, then a line per kind of loss
 * (dropped partial matches, evicted keys) when there was any.
 */
export function formatSummary(s: Summary): string {
  const byRule = Object.entries(s.alertsByRule)
    .map(([rule, n]) => `${rule} ${number.format(n)}`)
    .join(', ');
  const lines = [
    `cep: ${counted(s.events, 'event')}, ${counted(s.badRecords, 'bad record')}, ${counted(s.lateEvents, 'late event')}, ` +
      `${counted(s.alerts, 'alert')} (${byRule}), ${number.format(s.eventsPerSecond)} events/s in ${(s.elapsedMs / 1000).toFixed(2)} s` +
      (s.interrupted ? ' (interrupted)' : ''),
  ];
  if (s.events === 0 && s.badRecords > 0) {
    lines.push('cep: warning: every record was a bad record, so no rule saw an event: are --time-field, --time-format and --format right for this input?');
  }
  for (const [rule, n] of Object.entries(s.droppedPartialMatches)) {
    lines.push(`cep: rule ${rule} dropped ${counted(n, 'partial match', 'partial matches')} at --max-partial-matches`);
  }
  if (s.evictedKeys > 0) {
    lines.push(`cep: ${counted(s.evictedKeys, 'key')} with ${counted(s.evictedPartialMatches, 'partial match', 'partial matches')} ${s.evictedKeys === 1 ? 'was' : 'were'} evicted at --max-keys`);
  }
  if (s.clockJump !== undefined) {
    const { position, byMs, lateAfter } = s.clockJump;
    lines.push(
      `cep: warning: the event at ${position} moved the watermark ${counted(Math.round(byMs / 86_400_000), 'day')} ahead and ${counted(lateAfter, 'late event')} followed: ` +
        'a poisoned clock? (--max-future D sets such events aside as bad records)',
    );
  }
  if (s.misaligned > 0) lines.push(`cep: ${counted(s.misaligned, 'Kafka event')} had a key (under a rule) other than their record key (misaligned: their matches depend on the partitioning)`);
  if (s.conditionErrors > 0) lines.push(`cep: ${counted(s.conditionErrors, 'condition evaluation')} failed (counted as false)`);
  return lines.join('\n');
}
