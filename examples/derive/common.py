"""Helpers shared by the derivation scripts: read events, read event time, group by key.

These scripts compute the expected alerts of examples/rules/*.cep straight from the data and the
rules' meaning (DSL.md), without the engine. Python on purpose: nothing is shared with src/.
"""
import json
from collections import defaultdict
from datetime import datetime, timezone


def event_time(value):
    """Event time in ms: epoch ms (number) or ISO-8601 with Z (the data files use both)."""
    if isinstance(value, (int, float)):
        return int(value)
    dt = datetime.strptime(value.replace('Z', '+0000'), '%Y-%m-%dT%H:%M:%S%z')
    return int(dt.timestamp() * 1000)


def iso(ms):
    """ISO-8601 UTC with milliseconds, as alerts carry times."""
    dt = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return dt.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (ms % 1000)


def read(path):
    """The events of an NDJSON file in file order, each as (time_ms, arrival_index, event)."""
    with open(path) as f:
        return [(event_time(e['ts']), i, e) for i, e in enumerate(json.loads(line) for line in f if line.strip())]


def by_key(events, field, types):
    """Events of the given types per key value, in event-time order (ties in arrival order).
    Events whose key is missing or null are left out (DSL.md section 1)."""
    keyed = defaultdict(list)
    for t, i, e in events:
        if e['type'] in types and e.get(field) is not None:
            keyed[e[field]].append((t, i, e))
    for key in keyed:
        keyed[key].sort(key=lambda x: (x[0], x[1]))
    return keyed


def alert(rule, severity, key, start, end, fields, events, kind='match'):
    return {'rule': rule, 'severity': severity, 'kind': kind, 'key': key, 'start': iso(start), 'end': iso(end),
            'fields': fields, 'events': events}


def write(alerts):
    alerts.sort(key=lambda a: (a['start'], a['rule'], json.dumps(a['key'])))
    for a in alerts:
        print(json.dumps(a, ensure_ascii=False))
