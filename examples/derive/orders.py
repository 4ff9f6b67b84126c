"""Expected alerts of examples/rules/orders.cep on examples/data/olist-orders.ndjson.

unpaid_order: `order_placed as o -> not payment_approved within 24h`. Per order, in event-time
order (ties in file order), a placement opens an absence that a later payment_approved before
placed + 24h cancels; a payment at exactly the deadline is too late. At the deadline (or at the
end of the data, when the watermark becomes +inf) the absence completes: a `match` alert whose
end is the deadline. slow_shipping is the same with payment_approved and order_shipped, 7 days.

late_delivery: `order_delivered[ts > estimated] as d`: every delivery after its promised date
(both times are ISO-8601 UTC text of the same shape, so text order is time order).
"""
import sys
from common import alert, by_key, read, write

HOUR = 3_600_000
events = read(sys.argv[1] if len(sys.argv) > 1 else 'examples/data/olist-orders.ndjson')
alerts = []


def absence(rule, first_type, absent_type, within, alias, fields_of):
    for order, evs in by_key(events, 'order_id', {first_type, absent_type}).items():
        pending = []  # open absences: (time, event)
        for t, _, e in evs:
            # Clock advanced to t: absences whose deadline is reached complete before e is fed.
            for pt, pe in [p for p in pending if p[0] + within <= t]:
                alerts.append(alert(rule, 'medium', order, pt, pt + within, fields_of(pe), {alias: pe}))
            pending = [p for p in pending if p[0] + within > t]
            if e['type'] == absent_type:
                pending = []
            else:
                pending.append((t, e))
        for pt, pe in pending:  # end of input: watermark +inf
            alerts.append(alert(rule, 'medium', order, pt, pt + within, fields_of(pe), {alias: pe}))


absence('unpaid_order', 'order_placed', 'payment_approved', 24 * HOUR, 'o',
        lambda o: {'order': o['order_id'], 'placed': o['ts'], 'status': o.get('status')})
absence('slow_shipping', 'payment_approved', 'order_shipped', 7 * 24 * HOUR, 'paid',
        lambda p: {'paid': p['ts']})

for t, _, e in events:
    if e['type'] == 'order_delivered' and isinstance(e.get('estimated'), str) and e['ts'] > e['estimated']:
        alerts.append(alert('late_delivery', 'low', e['order_id'], t, t,
                            {'delivered': e['ts'], 'promised': e['estimated']}, {'d': e}))

write(alerts)
