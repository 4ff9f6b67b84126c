// Generates examples/data/cards.ndjson: seeded (same file on every run), plain Node, no imports
// from src/. Background traffic of 40 cards over one day plus planted card-testing scenarios and
// near misses (see examples/README.md). Usage: node examples/derive/make-cards.mjs > examples/data/cards.ndjson
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(20240501);
const pick = (list) => list[Math.floor(rand() * list.length)];
const DAY = Date.UTC(2024, 4, 1);
const MIN = 60_000;
const merchants = ['grocer', 'fuel', 'books', 'pharmacy', 'electronics', 'travel', 'cafe', 'streaming'];
const cards = Array.from({ length: 40 }, (_, i) => `4000-0000-0000-${String(1000 + i)}`);
const events = [];
const txn = (card, ts, amount, merchant = pick(merchants)) =>
  events.push({ type: 'txn', ts, card_id: card, amount: Math.round(amount * 100) / 100, merchant });

// Background: ordinary purchases (5 to 300), a few large legitimate ones, and logins.
for (const card of cards) {
  const n = 10 + Math.floor(rand() * 20);
  for (let i = 0; i < n; i++) {
    const ts = DAY + Math.floor(rand() * 24 * 60) * MIN + Math.floor(rand() * 60_000);
    const r = rand();
    txn(card, ts, r < 0.05 ? 600 + rand() * 1500 : 5 + rand() * 295);
    if (rand() < 0.3) events.push({ type: 'login', ts: ts - 30_000, card_id: card, channel: pick(['web', 'app']) });
  }
}

// Planted scenarios on their own cards, each at its own hour. Offsets are minutes from the start.
const scenarios = [
  { name: 'three probes then big', steps: [[0, 1.0], [2, 0.5], [4, 1.99], [6, 899]] },
  { name: 'five probes then big', steps: [[0, 0.1], [1, 0.2], [2, 0.3], [3, 0.4], [4, 0.5], [9, 1250]] },
  { name: 'two probes only', steps: [[0, 1.0], [1, 1.0], [3, 950]] },
  { name: 'probes too long before', steps: [[0, 1.0], [3, 1.0], [5, 1.0], [12, 700]] },
  { name: 'first probe out of the window', steps: [[0, 0.5], [3, 0.5], [4, 0.5], [6, 0.5], [11, 640]] },
  { name: 'ordinary purchase between', steps: [[0, 1.5], [1, 1.5], [2, 300], [3, 1.5], [5, 2000]] },
  { name: 'two bigs after probes', steps: [[0, 0.99], [1, 0.99], [2, 0.99], [3, 800], [4, 820]] },
  { name: 'big of exactly 500', steps: [[0, 1], [1, 1], [2, 1], [3, 500]] },
  { name: 'probe of exactly 2', steps: [[0, 2], [1, 1], [2, 1], [3, 999]] },
  { name: 'big at exactly ten minutes', steps: [[0, 1], [1, 1], [2, 1], [10, 999]] },
];
scenarios.forEach((s, i) => {
  const card = `5500-0000-0000-${String(2000 + i)}`;
  const start = DAY + (i + 1) * 2 * 60 * MIN + 7 * MIN;
  for (const [minute, amount] of s.steps) txn(card, start + minute * MIN, amount, amount > 100 ? 'electronics' : 'online-test');
});

events.sort((a, b) => a.ts - b.ts);
process.stdout.write(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
