// Draws the tricloud report from the model inlined by write-report.ts. Runs in the browser, after the inlined
// Lightweight Charts standalone build (global `LightweightCharts`). When every chart has painted, it sets
// `document.body.dataset.rendered = 'true'` and the title's prefix `ready`, so a headless browser can tell, and
// records each panel's position (`data-rect`) and the page height (`data-height`).
// A block, not a function, keeps the page's names out of the global scope the chart library shares.
{
  const LC = window.LightweightCharts;
  const CLOUD_COLOURS = { aws: '#ff9900', gcp: '#4285f4', azure: '#8661c5' };
  const UP = '#26a69a';
  const DOWN = '#ef5350';
  const root = document.getElementById('charts');

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    for (const child of children) node.append(child);
    return node;
  };
  const number = (v, digits = 2) => v.toLocaleString('en-US', { maximumFractionDigits: digits });

  const baseOptions = {
    autoSize: true,
    layout: {
      background: { color: '#ffffff' },
      textColor: '#57606a',
      fontSize: 11,
      // The header links to tradingview.com with the NOTICE text, which the licence accepts instead of the logo.
      attributionLogo: false,
    },
    grid: { vertLines: { color: '#f0f2f4' }, horzLines: { color: '#f0f2f4' } },
    rightPriceScale: { borderColor: '#d0d7de' },
    timeScale: { borderColor: '#d0d7de' },
    handleScroll: true,
    handleScale: true,
  };

  // Timeline charts put seconds since the run started on the time axis; label them as such, not as 1970 dates.
  const elapsedOptions = {
    ...baseOptions,
    localization: { timeFormatter: (t) => `+${t} s` },
    timeScale: { ...baseOptions.timeScale, tickMarkFormatter: (t) => `${t}s` },
  };

  const swatch = (colour) => el('span', { class: 'swatch', style: `background:${colour}` });

  const legend = (names) =>
    el('div', { class: 'legend' }, ...names.map((name) => el('span', {}, swatch(CLOUD_COLOURS[name]), name)));

  const lineChart = (container, lines, unit) => {
    const chart = LC.createChart(container, {
      ...elapsedOptions,
      localization: { ...elapsedOptions.localization, priceFormatter: (v) => `${number(v, 1)} ${unit}` },
    });
    for (const [name, points] of lines) {
      const series = chart.addSeries(LC.LineSeries, {
        color: CLOUD_COLOURS[name],
        lineWidth: 2,
        title: name,
        priceLineVisible: false,
      });
      series.setData(points);
    }
    chart.timeScale().fitContent();
    return chart;
  };

  const emptyPanel = (text) => el('div', { class: 'empty' }, text);

  const drawThroughput = (model) => {
    const lines = Object.entries(model.throughput).filter(([, points]) => points.length > 0);
    const section = el('section', {}, el('h2', {}, 'Throughput (records/s ingested, per cloud)'));
    root.append(section);
    if (lines.length === 0) {
      section.append(emptyPanel('no timeline samples'));
      return;
    }
    const per = model.bucketSeconds === 1 ? 'per second' : `averaged over ${model.bucketSeconds} s`;
    section.append(legend(lines.map(([name]) => name)));
    const container = el('div', { class: 'chart wide', 'data-chart': 'throughput' });
    section.append(
      container,
      el('div', { class: 'meta' }, `Records/s ${per}; time in seconds since the run started.`),
    );
    lineChart(container, lines, 'rec/s');
  };

  const drawSyncLag = (model) => {
    const section = el('section', {}, el('h2', {}, 'Sync lag (seconds each cloud is behind each source)'));
    const grid = el('div', { class: 'grid3' });
    section.append(grid);
    root.append(section);
    for (const [cloud, bySource] of Object.entries(model.syncLag)) {
      const lines = Object.entries(bySource).filter(([, points]) => points.length > 0);
      const panel = el('div', { class: 'panel', 'data-cloud': cloud });
      panel.append(el('div', { class: 'panel-head' }, el('b', {}, `into ${cloud}`), el('span', {}, 'from')));
      grid.append(panel);
      if (lines.length === 0) {
        panel.append(emptyPanel('no sync lag reported'));
        continue;
      }
      panel.firstChild.lastChild.replaceWith(legend(lines.map(([name]) => name)));
      const container = el('div', { class: 'chart', 'data-chart': `lag-${cloud}` });
      panel.append(container);
      lineChart(container, lines, 's');
    }
  };

  const candleLegend = (candle) =>
    candle === undefined
      ? ''
      : `O ${number(candle.open, 6)}  H ${number(candle.high, 6)}  L ${number(candle.low, 6)}  C ${number(candle.close, 6)}  ` +
        `V ${number(candle.volume, 4)}  VWAP ${candle.vwap === null ? '–' : number(candle.vwap, 6)}  n ${candle.count}`;

  /** Candles and, along the bottom fifth on a scale of its own, volume as a faint histogram. */
  const candleChart = (container, candles) => {
    const sizeSeconds = candles.length > 1 ? candles[1].time - candles[0].time : 60;
    const chart = LC.createChart(container, {
      ...baseOptions,
      timeScale: { ...baseOptions.timeScale, timeVisible: true, secondsVisible: sizeSeconds < 60 },
    });
    const series = chart.addSeries(LC.CandlestickSeries, {
      upColor: UP,
      downColor: DOWN,
      borderUpColor: UP,
      borderDownColor: DOWN,
      wickUpColor: UP,
      wickDownColor: DOWN,
      priceLineVisible: false,
    });
    series.setData(candles.map(({ time, open, high, low, close }) => ({ time, open, high, low, close })));
    const volume = chart.addSeries(LC.HistogramSeries, {
      priceScaleId: 'volume',
      priceFormat: { type: 'volume' },
      lastValueVisible: false,
      priceLineVisible: false,
    });
    volume.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    volume.setData(
      candles.map((c) => ({
        time: c.time,
        value: c.volume,
        color: c.close >= c.open ? 'rgba(38,166,154,0.3)' : 'rgba(239,83,80,0.3)',
      })),
    );
    chart.timeScale().fitContent();
    return chart;
  };

  /** One cloud's panel of a series: its candles, with the hovered candle's figures in the panel's head. */
  const drawCandlePanel = (grid, row, panel) => {
    const name = el('b', {}, swatch(CLOUD_COLOURS[panel.cloud]));
    name.append(panel.cloud);
    const head = el('div', { class: 'panel-head' }, name, el('span', {}, ''));
    const box = el('div', { class: 'panel', 'data-cloud': panel.cloud, 'data-series': row.series }, head);
    grid.append(box);
    const info = head.lastChild;
    if (panel.candles.length === 0) {
      info.textContent = '0 windows';
      box.append(emptyPanel('no data'));
      return;
    }
    info.textContent =
      panel.total > panel.candles.length
        ? `last ${number(panel.candles.length, 0)} of ${number(panel.total, 0)} windows`
        : `${number(panel.total, 0)} windows`;
    const container = el('div', { class: 'chart', 'data-chart': `candles-${row.series}-${panel.cloud}` });
    box.append(container);
    const chart = candleChart(container, panel.candles);
    const byTime = new Map(panel.candles.map((c) => [c.time, c]));
    chart.subscribeCrosshairMove((param) => {
      info.textContent =
        param.time === undefined ? `${number(panel.total, 0)} windows` : candleLegend(byTime.get(param.time));
    });
  };

  const drawCandles = (model) => {
    const section = el(
      'section',
      {},
      el('h2', {}, 'Candles per series (each cloud’s store, side by side)'),
      el(
        'div',
        { class: 'legend' },
        el('span', {}, swatch(UP), 'close ≥ open'),
        el('span', {}, swatch(DOWN), 'close < open'),
        el('span', {}, 'faint bars: volume · times in UTC · hover a candle for OHLC, VWAP and count'),
      ),
    );
    root.append(section);
    if (model.rows.length === 0) section.append(emptyPanel('no windows in any cloud'));
    for (const row of model.rows) {
      section.append(el('h3', {}, `${row.series} · ${row.window} windows`));
      const grid = el('div', { class: 'grid3' });
      section.append(grid);
      for (const panel of row.panels) drawCandlePanel(grid, row, panel);
    }
    const capped = model.rows.some((r) => r.panels.some((p) => p.total > p.candles.length));
    if (capped) {
      section.append(
        el(
          'p',
          { class: 'note' },
          `Charts with more than ${number(model.maxCandles, 0)} windows show only the latest ${number(model.maxCandles, 0)}.`,
        ),
      );
    }
  };

  /** Tells a headless browser the page is drawn: each panel's position, the page height, the flag and the title. */
  const markRendered = () => {
    // Where each panel sits on the page, for tools that screenshot it (the report test checks pixels there).
    for (const panel of document.querySelectorAll('.panel')) {
      const r = panel.getBoundingClientRect();
      panel.dataset.rect = [r.x + scrollX, r.y + scrollY, r.width, r.height].map(Math.round).join(',');
    }
    document.body.dataset.height = String(document.documentElement.scrollHeight);
    document.body.dataset.rendered = 'true';
    document.title = `ready · ${document.title}`;
  };

  try {
    const model = JSON.parse(document.getElementById('tricloud-report-data').textContent);
    drawThroughput(model);
    drawSyncLag(model);
    drawCandles(model);
    // Charts paint on the next animation frames; two frames later every canvas has its first picture. A loaded
    // headless browser may hold animation frames back past its virtual time budget; layout, which is all the mark
    // reports, is done by then, so a timer (virtual time runs it) marks the page if the frames have not.
    let marked = false;
    const markOnce = () => {
      if (!marked) {
        marked = true;
        markRendered();
      }
    };
    requestAnimationFrame(() => requestAnimationFrame(markOnce));
    setTimeout(markOnce, 1_000);
  } catch (error) {
    root.append(el('pre', { class: 'error' }, `The report could not be drawn: ${error?.stack ?? error}`));
    document.body.dataset.rendered = 'error';
  }
}
