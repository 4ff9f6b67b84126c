/**
 * Test data for the live components: real recorded events (examples/data/ssh-auth.ndjson, the
 * loghub OpenSSH log) and alerts built from them by hand, so the WebSocket and Kafka sink tests move
 * realistic payloads without depending on the matcher.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertId, type Alert } from '../../src/alerts/alert.js';

export const DATA_DIR = join(import.meta.dirname, '..', '..', 'examples', 'data');

/** The events of an NDJSON file in `examples/data`, in file order. */
export function readEvents(file: string): Record<string, unknown>[] {
  return readFileSync(join(DATA_DIR, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * One alert per `auth_failure` (rule `ssh_failure`, severity `high` for an invalid user, else
 * `medium`) and per `break_in_attempt` (rule `ssh_break_in`, `critical`) of the SSH log, in file order.
 */
export function sshAlerts(): Alert[] {
  const alerts: Alert[] = [];
  for (const e of readEvents('ssh-auth.ndjson')) {
    const ts = new Date(e.ts as string).toISOString();
    if (e.type === 'auth_failure') {
      alerts.push({
        rule: 'ssh_failure',
        severity: e.invalid_user === true ? 'high' : 'medium',
        kind: 'match',
        key: e.ip,
        start: ts,
        end: ts,
        fields: { user: e.user, line: e.line },
        events: { auth_failure: e },
        id: alertId('ssh_failure', 'match', e.ip, { auth_failure: e }),
      });
    } else if (e.type === 'break_in_attempt') {
      alerts.push({ rule: 'ssh_break_in', severity: 'critical', kind: 'match', key: e.ip, start: ts, end: ts, fields: { host: e.host, line: e.line }, events: { break_in_attempt: e }, id: alertId('ssh_break_in', 'match', e.ip, { break_in_attempt: e }) });
    }
  }
  return alerts;
}
