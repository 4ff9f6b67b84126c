"""Expected alerts of examples/rules/ssh.cep on examples/data/ssh-auth.ndjson.

ssh_brute_force: `auth_failure{5} as tries within 1m`, skip past last event. Every failure opens
a partial match that takes each later failure of the IP (relaxed contiguity takes every matching
event); a partial match is dropped once an event comes at or after first + 1 min. The first
partial match to hold five failures completes; skip past last then discards all open partial
matches, and counting starts again with the next failure.

ssh_break_in: `break_in_attempt as probe -> auth_failure as fail within 10m`. Each probe opens a
partial match (dropped at probe + 10 min); the next failure of the IP completes every open one,
the earliest probe's match comes first and skip past last discards the others.
"""
import sys
from common import alert, by_key, read, write

MINUTE = 60_000
events = read(sys.argv[1] if len(sys.argv) > 1 else 'examples/data/ssh-auth.ndjson')
alerts = []

for ip, evs in by_key(events, 'ip', {'auth_failure'}).items():
    open_starts = []  # indexes into evs of partial matches' first failure
    for j, (t, _, e) in enumerate(evs):
        open_starts = [i for i in open_starts if t < evs[i][0] + MINUTE]  # clock advanced to t first
        open_starts.append(j)
        done = [i for i in open_starts if j - i + 1 == 5]
        if done:
            i = done[0]
            tries = [x[2] for x in evs[i:j + 1]]
            alerts.append(alert('ssh_brute_force', 'high', ip, evs[i][0], t,
                                {'attempts': 5, 'first_user': tries[0].get('user'), 'last_user': tries[-1].get('user')},
                                {'tries': tries}))
            open_starts = []

for ip, evs in by_key(events, 'ip', {'break_in_attempt', 'auth_failure'}).items():
    probes = []
    for t, _, e in evs:
        probes = [p for p in probes if t < p[0] + 10 * MINUTE]
        if e['type'] == 'break_in_attempt':
            probes.append((t, e))
        elif probes:
            pt, probe = probes[0]
            alerts.append(alert('ssh_break_in', 'critical', ip, pt, t,
                                {'host': probe.get('host'), 'user': e.get('user'), 'port': e.get('port')},
                                {'probe': probe, 'fail': e}))
            probes = []

write(alerts)
