"""Expected alerts of examples/rules/fraud.cep on examples/data/cards.ndjson.

card_testing: `txn[amount < 2]{3,} as probes -> txn[amount > 500] as big within 10m`, skip past
last event. Every tiny transaction (amount < 2) opens a partial match that takes each later tiny
one of the card (relaxed contiguity takes every matching event; other transactions are skipped).
A partial match is dropped once an event comes at or after first + 10 min. A big transaction
(amount > 500) completes every open partial match with at least 3 probes; the one with the
earliest first probe comes first, and skip past last discards the rest.
"""
import sys
from common import alert, by_key, read, write

TEN_MIN = 600_000
events = read(sys.argv[1] if len(sys.argv) > 1 else 'examples/data/cards.ndjson')
alerts = []

for card, evs in by_key(events, 'card_id', {'txn'}).items():
    partials = []  # each: list of probe (time, event), oldest first
    for t, _, e in evs:
        partials = [p for p in partials if t < p[0][0] + TEN_MIN]
        amount = e.get('amount')
        if not isinstance(amount, (int, float)):
            continue
        if amount > 500:
            ready = [p for p in partials if len(p) >= 3]
            if ready:
                probes = ready[0]
                alerts.append(alert('card_testing', 'high', card, probes[0][0], t,
                                    {'card': e['card_id'], 'probes': len(probes), 'amount': amount,
                                     'merchant': e.get('merchant')},
                                    {'probes': [x[1] for x in probes], 'big': e}))
                partials = []
        elif amount < 2:
            for p in partials:
                p.append((t, e))
            partials.append([(t, e)])

write(alerts)
