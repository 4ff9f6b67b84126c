// The live dashboard (no build step): connects to the alert feed at /ws (protocol in
// src/alerts/ws-protocol.ts), presenting the page's ?token= as the subprotocol cep.token.<token>;
// shows alerts newest first with filters and details, alerts per rule over event time as a chart
// (chart.js UMD, served by the same server), and the engine's counters. Reconnects by itself with
// exponential backoff (0.5 s doubling to 10 s).
//
// The page holds only the alerts the server replays (its newest) and those that arrive while it is
// open, so every total it shows (alerts, alerts per rule) is the engine's own counter from the stats
// frames, never the length of its list: a page opened after a run ended shows that run's totals.
'use strict';

/** Alerts kept in the page (oldest dropped first) and rows drawn at once. */
const MAX_ALERTS = 5000;
const MAX_ROWS = 500;
/** Chart bucket sizes, ms: the smallest that keeps the span under MAX_BUCKETS buckets is used. */
const BUCKETS_MS = [1e3, 1e4, 6e4, 3e5, 9e5, 36e5, 216e5, 864e5, 6048e5];
const MAX_BUCKETS = 120;

const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(location.search).get('token') ?? '';
const alerts = []; // oldest first
const perRule = new Map(); // rule -> Map(second -> count), by the alert's end (event time)
let selected = null;
let renderQueued = false;
let retryMs = 500;
let ended = false;

/**
 * A rule's colour, derived from its name alone (FNV-1a 32-bit hash → hue), so that it is the same
 * on every page load and whatever order the rules' alerts arrive in.
 */
function ruleColor(rule) {
  let h = 0x811c9dc5;
  for (let i = 0; i < rule.length; i++) h = Math.imul(h ^ rule.charCodeAt(i), 0x01000193) >>> 0;
  return `hsl(${h % 360}, 65%, ${38 + ((h >>> 9) % 3) * 8}%)`;
}

function connect() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const protocols = token ? ['cep.v1', `cep.token.${token}`] : ['cep.v1'];
  const ws = new WebSocket(`${scheme}//${location.host}/ws`, protocols);
  setStatus('connecting', 'connecting…');
  ws.onopen = () => { retryMs = 500; replaying = true; replayed = []; setStatus('open', ended ? 'input ended' : 'live'); };
  ws.onmessage = (msg) => onMessage(JSON.parse(msg.data));
  ws.onclose = (ev) => {
    setStatus('closed', ev.code === 1006 && !token ? 'disconnected (no token in the URL?)' : `disconnected, retrying in ${retryMs / 1000}s`);
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 10_000);
  };
}

function setStatus(state, text) {
  const el = $('status');
  el.className = `status ${state}`;
  el.dataset.state = state;
  el.textContent = text;
}

// After each (re)connect the server first replays its recent alerts, then says `ready`: the replayed
// alerts are collected and replace the page's list, so a reconnect never shows an alert twice.
let replaying = true;
let replayed = [];

function onMessage(msg) {
  const batch = msg.type === 'alert' ? [msg.alert] : msg.type === 'alerts' ? msg.alerts : null;
  if (batch !== null && replaying) replayed.push(...batch);
  else if (batch !== null) for (const a of batch) addAlert(a);
  else if (msg.type === 'ready') {
    alerts.length = 0;
    perRule.clear();
    for (const a of replayed) addAlert(a);
    replayed = [];
    replaying = false;
  } else if (msg.type === 'stats') showStats(msg.stats);
  queueRender();
}

function addAlert(alert) {
  alerts.push(alert);
  if (alerts.length > MAX_ALERTS) alerts.shift();
  let counts = perRule.get(alert.rule);
  if (!counts) {
    counts = new Map();
    perRule.set(alert.rule, counts);
    addRuleOption(alert.rule);
  }
  const second = Math.floor(Date.parse(alert.end) / 1000) * 1000;
  counts.set(second, (counts.get(second) ?? 0) + 1);
}

function addRuleOption(rule) {
  if ([...$('f-rule').options].some((o) => o.value === rule)) return;
  const opt = document.createElement('option');
  opt.textContent = rule;
  $('f-rule').append(opt);
}

const n = (x) => (typeof x === 'number' ? x.toLocaleString('en-US', { maximumFractionDigits: 1 }) : '–');

function showStats(s) {
  $('c-events').textContent = n(s.events);
  $('c-eps').textContent = n(s.eventsPerSecond);
  $('c-alerts').textContent = n(s.alerts);
  $('c-watermark').textContent = formatWatermark(s.watermark);
  $('c-lag').textContent = formatLag(s.watermarkLag, s.watermark);
  $('c-late').textContent = n(s.lateEvents);
  $('c-bad').textContent = n(s.badRecords);
  $('c-partial').textContent = n(s.partialMatches);
  $('c-clients').textContent = `${n(s.clients)} (dropped ${n(s.droppedClients)})`;
  showRuleTotals(s.alertsByRule ?? {});
  if (s.watermark === 'Infinity' && !ended) {
    ended = true;
    if ($('status').dataset.state === 'open') setStatus('open', 'input ended');
  }
}

/** The watermark: a UTC time, "end of input" once every input ended, "none yet" before the first. */
function formatWatermark(w) {
  if (w === 'Infinity') return 'end of input';
  if (typeof w !== 'number') return 'none yet';
  return new Date(w).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/**
 * The watermark's lag behind its clock (EngineStats.watermarkLag: the wall clock on Kafka, the
 * replay's clock under --speed). A replay at full speed has no such clock: its recorded event time is
 * unrelated to now, so no lag is shown rather than "4009.6 d".
 */
function formatLag(ms, watermark) {
  if (typeof ms === 'number') return formatDuration(ms);
  if (watermark === 'Infinity') return '– (input ended)';
  if (typeof watermark === 'number') return '– (replay at full speed)';
  return '–';
}

/** ms in the largest unit that keeps the figure at 1 or more: ms, s, min, h, d. */
function formatDuration(ms) {
  const a = Math.abs(ms);
  if (a < 1e3) return `${Math.round(ms)} ms`;
  if (a < 6e4) return `${(ms / 1e3).toFixed(1)} s`;
  if (a < 36e5) return `${(ms / 6e4).toFixed(1)} min`;
  if (a < 864e5) return `${(ms / 36e5).toFixed(1)} h`;
  return `${(ms / 864e5).toFixed(1)} d`;
}

/** Each rule's total (the engine's counter), with its colour, every rule of the run listed. */
function showRuleTotals(byRule) {
  const items = Object.keys(byRule).sort().map((rule) => {
    addRuleOption(rule);
    const li = document.createElement('li');
    li.dataset.rule = rule;
    li.dataset.color = ruleColor(rule);
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = ruleColor(rule);
    const count = document.createElement('span');
    count.className = 'count';
    count.textContent = n(byRule[rule]);
    li.append(swatch, rule, ' ', count);
    return li;
  });
  $('rules').replaceChildren(...items);
}

function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  setTimeout(() => { renderQueued = false; renderTable(); renderChart(); }, 200);
}

function matchesFilters(a) {
  const rule = $('f-rule').value;
  const severity = $('f-severity').value;
  const key = $('f-key').value.trim().toLowerCase();
  return (!rule || a.rule === rule) && (!severity || a.severity === severity) && (!key || JSON.stringify(a.key).toLowerCase().includes(key));
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  td.title = text;
  if (className) td.className = className;
  return td;
}

function renderTable() {
  const rows = [];
  let shown = 0;
  for (let i = alerts.length - 1; i >= 0 && rows.length < MAX_ROWS; i--) {
    const a = alerts[i];
    if (!matchesFilters(a)) continue;
    shown++;
    const tr = document.createElement('tr');
    tr.append(cell(a.end), cell(a.rule), cell(a.severity, `sev-${a.severity}`), cell(a.kind), cell(typeof a.key === 'string' ? a.key : JSON.stringify(a.key)), cell(JSON.stringify(a.fields)));
    if (a === selected) tr.className = 'selected';
    tr.onclick = () => showDetails(a);
    rows.push(tr);
  }
  $('alerts').tBodies[0].replaceChildren(...rows);
  $('shown').textContent = `${shown} shown of the ${alerts.length} newest alerts`;
}

function showDetails(a) {
  selected = a;
  $('details').hidden = false;
  $('details-title').textContent = `${a.rule} · ${typeof a.key === 'string' ? a.key : JSON.stringify(a.key)} · ${a.start} → ${a.end}`;
  $('details-body').textContent = JSON.stringify({ fields: a.fields, events: a.events }, null, 2);
  renderTable();
}

let chart = null;
/** The chart plots the alerts the page holds (the replayed newest and those since), not the run's total. */
const chartTitle = () => `alerts per rule over event time (the ${alerts.length.toLocaleString('en-US')} alerts this page holds)`;
function renderChart() {
  if (typeof Chart === 'undefined' || perRule.size === 0) return;
  let lo = Infinity;
  let hi = -Infinity;
  for (const counts of perRule.values()) for (const t of counts.keys()) { lo = Math.min(lo, t); hi = Math.max(hi, t); }
  const size = BUCKETS_MS.find((b) => (hi - lo) / b < MAX_BUCKETS) ?? BUCKETS_MS[BUCKETS_MS.length - 1];
  const datasets = [...perRule.entries()].map(([rule, counts]) => {
    const buckets = new Map();
    for (const [t, c] of counts) { const b = Math.floor(t / size) * size; buckets.set(b, (buckets.get(b) ?? 0) + c); }
    // Every bucket of the span, empty ones as 0, so a line never bridges a quiet period.
    const data = [];
    for (let b = Math.floor(lo / size) * size; b <= hi; b += size) data.push({ x: b, y: buckets.get(b) ?? 0 });
    const color = ruleColor(rule);
    return { label: rule, data, borderColor: color, backgroundColor: color, showLine: true, pointRadius: 1.5, tension: 0 };
  });
  if (chart === null) {
    chart = new Chart($('chart'), {
      type: 'scatter',
      data: { datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: { type: 'linear', title: { display: true, text: 'event time (UTC)' }, ticks: { callback: (v) => new Date(v).toISOString().slice(0, 16).replace('T', ' ') } },
          y: { beginAtZero: true, title: { display: true, text: 'alerts per bucket' } },
        },
        plugins: { title: { display: true, text: chartTitle() } },
      },
    });
  } else {
    chart.data.datasets = datasets;
    chart.options.plugins.title.text = chartTitle();
    chart.update('none');
  }
  // For tests and scrapers: how many alerts the chart shows, and its bucket size.
  $('chart').dataset.alerts = String(datasets.reduce((n, d) => n + d.data.reduce((m, p) => m + p.y, 0), 0));
  $('chart').dataset.bucketMs = String(size);
}

for (const id of ['f-rule', 'f-severity', 'f-key']) $(id).addEventListener('input', renderTable);
connect();
