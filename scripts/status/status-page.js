// The live status page: polls /api/status (the model `tricloud status --json` prints) and /api/candles for the chosen
// series, and redraws in place — no reload, no charting library (candles are SVG drawn here). For headless checks
// it sets `data-version` on <body> to the model's version it shows, and `data-candles` to the series drawn.
const CLOUDS = ['aws', 'gcp', 'azure'];
const COLOURS = { aws: '#ff9900', gcp: '#4285f4', azure: '#8661c5' };
const UP = '#26a69a';
const DOWN = '#ef5350';
const SVG = 'http://www.w3.org/2000/svg';
const refreshMs = Number(document.body.dataset.refreshMs) || 3000;
let chosen = '';

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

const count = (n, atLeast) => (n === undefined ? '-' : `${atLeast ? '≥ ' : ''}${n.toLocaleString('en-US')}`);
const time = (ms) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const duration = (ms) => (ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`);

function row(name, value) {
  return el('tr', {}, el('th', {}, name), el('td', { class: 'n' }, value));
}

function transportRows(t) {
  if (!t) return [row('transport', '- (did not answer)')];
  const rows = [
    row('transport', t.kind),
    row('backlog', t.backlog === undefined ? '? (see notes)' : count(t.backlog)),
    row('in flight', t.inFlight === undefined ? '?' : count(t.inFlight)),
    row('transport DLQ', count(t.deadLetterDepth, t.deadLetterDepthAtLeast)),
  ];
  if (t.partitions?.length) {
    const parts = t.partitions.map(
      (p) =>
        `${p.partition}: ${p.lastEnqueued < 0 ? 'empty' : p.lastEnqueued}${p.behind === undefined ? '' : ` (${p.behind} behind)`}`,
    );
    rows.push(row('partitions', parts.join(', ')));
  }
  return rows;
}

function cloudPanel(c) {
  const badge = el(
    'span',
    { class: `badge ${c.reachable ? 'up' : 'down'}` },
    c.reachable ? 'reachable' : 'unreachable',
  );
  const name = el('b', {}, el('span', { class: 'swatch', style: `background:${COLOURS[c.cloud]}` }), c.cloud);
  const panel = el('div', { class: 'panel', 'data-cloud': c.cloud, 'data-reachable': String(c.reachable) });
  panel.append(el('div', { class: 'panel-head' }, name, badge));
  for (const p of c.problems) panel.append(el('div', { class: 'problem' }, p));
  const d = c.documents;
  const letters = c.deadLetters;
  panel.append(
    el(
      'table',
      {},
      ...transportRows(c.transport),
      row('dead letters', count(letters?.total, letters?.complete === false)),
      row('… in the last hour', count(c.failures.deadLettersLastHour)),
      row('windows', d ? `${count(d.windows)}${d.complete ? '' : ' (counting)'}` : '-'),
      row('slices', count(d?.slices)),
      row('inexact windows', count(d?.inexact)),
      row('conflicts', count(d?.conflicts)),
    ),
  );
  const fn = Object.entries(c.failures.functionFailures ?? {});
  if (fn.length)
    panel.append(
      el(
        'p',
        { class: 'meta' },
        `failed messages (functions' log lines): ${fn.map(([r, n]) => `${r} ${n}`).join(', ')}`,
      ),
    );
  panel.append(
    el('p', { class: 'meta' }, `${c.local ? 'local servers' : 'cloud'}, checked in ${c.tookMs} ms`),
  );
  return panel;
}

function detailsPanel(c) {
  const sync = el(
    'table',
    {},
    el(
      'tr',
      {},
      el('th', {}, `into ${c.cloud} ← from`),
      el('th', {}, 'last run'),
      el('th', {}, 'pending'),
      el('th', {}, 'lag'),
    ),
  );
  for (const s of c.sync) {
    const lag = s.error ?? (s.lagMs === undefined ? '-' : duration(s.lagMs));
    sync.append(
      el(
        'tr',
        {},
        el('td', {}, s.source),
        el('td', {}, s.lastRunAt === undefined ? 'never' : time(s.lastRunAt)),
        el('td', { class: 'n' }, count(s.pending, s.pendingAtLeast)),
        el('td', {}, lag),
      ),
    );
  }
  const reasons = el(
    'table',
    {},
    el('tr', {}, el('th', {}, 'dead letters by reason'), el('th', {}, 'count')),
  );
  for (const r of (c.deadLetters?.byReason ?? []).slice(0, 6)) {
    reasons.append(
      el('tr', { 'data-reason': r.reason }, el('td', {}, r.reason), el('td', { class: 'n' }, count(r.count))),
    );
  }
  const notes = el(
    'details',
    {},
    el('summary', {}, 'what this cloud cannot tell'),
    ...c.notes.map((n) => el('div', {}, n)),
  );
  return el('div', { class: 'panel', 'data-details': c.cloud }, sync, reasons, notes);
}

// The series on offer, every one any store holds; the first choice is the one with the newest window.
function seriesChoices(model) {
  const newest = new Map();
  for (const cloud of CLOUDS) {
    for (const s of model.clouds[cloud].documents?.series ?? []) {
      const key = `${s.series}|${s.window}`;
      newest.set(key, Math.max(newest.get(key) ?? s.last, s.last));
    }
  }
  const select = document.getElementById('series');
  const current = [...select.options].map((o) => o.value).join(',');
  const wanted = [...newest.keys()].sort();
  if (wanted.join(',') !== current) {
    select.replaceChildren(...wanted.map((k) => el('option', { value: k }, k.replace('|', ' · '))));
  }
  if (!wanted.includes(chosen))
    chosen = [...newest].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '';
  select.value = chosen;
}

function renderModel(model) {
  document.getElementById('clouds').replaceChildren(...CLOUDS.map((o) => cloudPanel(model.clouds[o])));
  document.getElementById('details').replaceChildren(...CLOUDS.map((o) => detailsPanel(model.clouds[o])));
  document.getElementById('notes').textContent = model.notes.join(' ');
  document.getElementById('updated').textContent =
    `as of ${time(model.at)} · refreshed every ${refreshMs / 1000} s`;
  seriesChoices(model);
  document.body.dataset.version = String(model.version);
}

function priceScale(set) {
  const windows = CLOUDS.flatMap((o) => set.clouds[o].windows ?? []);
  const low = Math.min(...windows.map((w) => w.low));
  const high = Math.max(...windows.map((w) => w.high));
  return { low, span: high > low ? high - low : 1 };
}

function candleChart(windows, set, scale) {
  const width = 600;
  const height = 220;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none' });
  const slot = (width - 8) / Math.max(1, Math.round((set.to - set.from) / sizeOf(set)));
  const y = (v) => 6 + (height - 12) * (1 - (v - scale.low) / scale.span);
  for (const w of windows) {
    const x = 4 + ((w.start - set.from) / sizeOf(set)) * slot + slot / 2;
    const colour = w.close >= w.open ? UP : DOWN;
    chart.append(
      svg('line', { x1: x, x2: x, y1: y(w.high), y2: y(w.low), stroke: colour, 'stroke-width': 1 }),
    );
    const top = y(Math.max(w.open, w.close));
    const body = Math.max(1, y(Math.min(w.open, w.close)) - top);
    const rect = svg('rect', {
      class: 'candle',
      x: x - slot * 0.35,
      y: top,
      width: slot * 0.7,
      height: body,
      fill: colour,
    });
    rect.append(svg('title'));
    rect.firstChild.textContent = `${time(w.start)} O ${w.open} H ${w.high} L ${w.low} C ${w.close} n ${w.count}${w.exact ? '' : ' (not exact)'}`;
    chart.append(rect);
  }
  return chart;
}

function sizeOf(set) {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(set.window);
  const unit = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5 };
  return m ? Number(m[1]) * unit[m[2]] : 60_000;
}

function renderCandles(set) {
  const scale = priceScale(set);
  document.getElementById('candle-range').textContent =
    `${set.series} · ${set.window} windows from ${time(set.from)} to ${time(set.to)} (UTC), one price scale for all three`;
  const panels = CLOUDS.map((o) => {
    const answer = set.clouds[o];
    const panel = el('div', { class: 'panel candles', 'data-candles-cloud': o });
    const answered = answer.windows
      ? `${answer.windows.length} window${answer.windows.length === 1 ? '' : 's'}`
      : 'did not answer';
    panel.append(el('div', { class: 'panel-head' }, el('b', {}, o), el('span', { class: 'meta' }, answered)));
    if (answer.error !== undefined) panel.append(el('div', { class: 'empty' }, answer.error));
    else if (answer.windows.length === 0)
      panel.append(el('div', { class: 'empty' }, 'no windows in this range'));
    else panel.append(candleChart(answer.windows, set, scale));
    return panel;
  });
  document.getElementById('candles').replaceChildren(...panels);
  document.body.dataset.candles = `${set.series}|${set.window}`;
}

async function fetchJson(url) {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function refresh() {
  try {
    renderModel(await fetchJson('/api/status'));
    if (chosen) {
      const [series, window] = chosen.split('|');
      renderCandles(
        await fetchJson(
          `/api/candles?series=${encodeURIComponent(series)}&window=${encodeURIComponent(window)}`,
        ),
      );
    }
  } catch (error) {
    document.getElementById('updated').textContent = `could not refresh: ${error.message}`;
  } finally {
    setTimeout(refresh, refreshMs);
  }
}

document.getElementById('series').addEventListener('change', (event) => {
  chosen = event.target.value;
});
refresh();
