import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildReportModel, MAX_CANDLES_PER_CHART } from '../../scripts/report/report-model.ts';
import { readInlinedModel, renderReport, writeReport } from '../../scripts/report/write-report.ts';
import { type ExportedWindow, ORIGINS } from '../../shared/core/index.ts';
import { renderedDom, screenshot } from './headless-chromium.ts';
import { countColour, distinctColours } from './png.ts';
import { reportFixture } from './report-fixture.ts';

const UP = [0x26, 0xa6, 0x9a] as const;
const DOWN = [0xef, 0x53, 0x50] as const;

function window(series: string, window: string, start: number, open = 1, close = 2): ExportedWindow {
  return { series, window, start, open, high: 3, low: 0.5, close, volume: 1, vwap: 1.5, count: 1 };
}

describe('report model', () => {
  it('derives records per second from cumulative samples, from zero at the start of the run', () => {
    const model = buildReportModel({
      ...reportFixture(),
      timeline: [
        { t: 1_000, cloud: 'aws', ingestedRecords: 100, syncLagMs: {} },
        { t: 2_000, cloud: 'aws', ingestedRecords: 100, syncLagMs: { gcp: 1_500 } },
        { t: 4_000, cloud: 'aws', ingestedRecords: 700, syncLagMs: { gcp: 500 } },
      ],
    });
    expect(model.throughput.aws).toEqual([
      { time: 1, value: 100 },
      { time: 2, value: 0 },
      { time: 4, value: 300 },
    ]);
    expect(model.throughput.gcp).toEqual([]);
    expect(model.syncLag.aws.gcp).toEqual([
      { time: 2, value: 1.5 },
      { time: 4, value: 0.5 },
    ]);
    expect(model.syncLag.aws.azure).toBeUndefined();
  });

  it("draws each series at its smallest window and leaves a cloud without that series' windows empty", () => {
    const model = buildReportModel({
      ...reportFixture(),
      windows: {
        aws: [window('A', '5m', 0), window('A', '1m', 0), window('A', '1m', 60_000)],
        gcp: [window('A', '5m', 0)],
        azure: [],
      },
    });
    expect(model.rows).toHaveLength(1);
    expect(model.rows[0]!.window).toBe('1m');
    expect(model.rows[0]!.panels.map((p) => [p.cloud, p.total, p.candles.length])).toEqual([
      ['aws', 2, 2],
      ['gcp', 0, 0],
      ['azure', 0, 0],
    ]);
    expect(model.rows[0]!.panels[0]!.candles[1]!.time).toBe(60);
  });

  it('keeps only the latest windows of a huge series and still counts them all', () => {
    const many = Array.from({ length: MAX_CANDLES_PER_CHART + 10 }, (_, i) => window('A', '1m', i * 60_000));
    const panel = buildReportModel({ ...reportFixture(), windows: { aws: many, gcp: [], azure: [] } })
      .rows[0]!.panels[0]!;
    expect(panel.total).toBe(MAX_CANDLES_PER_CHART + 10);
    expect(panel.candles).toHaveLength(MAX_CANDLES_PER_CHART);
    expect(panel.candles[0]!.time).toBe(10 * 60);
  });
});

describe('report page', () => {
  it('loads nothing from the network: no src or stylesheet link, the only URL is the attribution link', () => {
    const html = renderReport(reportFixture());
    const markup = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '<script></script>');
    expect(markup).not.toMatch(/\bsrc\s*=|<link\b|@import|url\(/i);
    expect(markup.match(/https?:\/\/[^"'\s<)]*/g)).toEqual(['https://www.tradingview.com/']);
    expect(html).toContain('TradingView Lightweight Charts™');
  });

  it('inlines its data so it reads back unchanged, even with script-closing text in names', () => {
    const base = reportFixture();
    const nasty = '</script><script>alert(1)</script><!--';
    const data = {
      ...base,
      title: nasty,
      windows: { ...base.windows, gcp: [...base.windows.gcp, window(nasty, '1m', 0)] },
      summary: { [nasty]: nasty, records: 4_000 },
    };
    const html = renderReport(data);
    expect(readInlinedModel(html)).toEqual(JSON.parse(JSON.stringify(buildReportModel(data))));
    expect(html).not.toContain('<script>alert(1)');
  });
});

describe('report page in headless Chromium', () => {
  const width = 1280;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tricloud-report-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Renders the page, reads where each panel sits, screenshots the whole page. */
  async function render(name: string, data: ReturnType<typeof reportFixture>) {
    const file = path.join(dir, `${name}.html`);
    await writeReport(file, data);
    const chromium = inject('chromiumPath');
    const dom = await renderedDom(chromium, file, width);
    expect(dom, 'the page signals it drew every chart').toMatch(/<body[^>]*data-rendered="true"/);
    const height = Number(/data-height="(\d+)"/.exec(dom)?.[1]);
    const panels = [
      ...dom.matchAll(/<div class="panel" data-cloud="(\w+)" data-series="([^"]+)"([^>]*)>/g),
    ].map(([, cloud, series, rest]) => {
      const [x, y, w, h] = (/data-rect="([\d,.-]+)"/.exec(rest!)?.[1] ?? '').split(',').map(Number);
      return { cloud: cloud!, series: series!, rect: { x: x!, y: y!, width: w!, height: h! } };
    });
    const image = await screenshot(chromium, file, path.join(dir, `${name}.png`), width, height);
    return { dom, panels, image };
  }

  it('draws up and down candles for every series in every cloud, side by side', async () => {
    const { panels, image } = await render('converged', reportFixture());
    expect(image.width).toBe(width);
    expect(distinctColours(image), 'the page is not blank').toBeGreaterThan(100);
    expect(panels.map((p) => `${p.series}/${p.cloud}`)).toEqual([
      'SYM000USDT/aws',
      'SYM000USDT/gcp',
      'SYM000USDT/azure',
      'SYM001USDT/aws',
      'SYM001USDT/gcp',
      'SYM001USDT/azure',
    ]);
    for (const p of panels) {
      expect(countColour(image, UP, p.rect), `up candles in ${p.series}/${p.cloud}`).toBeGreaterThan(50);
      expect(countColour(image, DOWN, p.rect), `down candles in ${p.series}/${p.cloud}`).toBeGreaterThan(50);
    }
    // Side by side: the three clouds of a series share a row, left to right.
    const [aws, gcp, azure] = panels;
    expect(aws!.rect.y).toBe(gcp!.rect.y);
    expect(aws!.rect.x < gcp!.rect.x && gcp!.rect.x < azure!.rect.x).toBe(true);
  });

  it("shows a cloud without windows as empty panels that say so, and draws the others' candles", async () => {
    const base = reportFixture();
    const { dom, panels, image } = await render('azure-empty', {
      ...base,
      windows: { ...base.windows, azure: [] },
    });
    for (const p of panels) {
      const up = countColour(image, UP, p.rect);
      const down = countColour(image, DOWN, p.rect);
      if (p.cloud === 'azure') expect([up, down], `nothing drawn in ${p.series}/azure`).toEqual([0, 0]);
      else expect(Math.min(up, down), `candles in ${p.series}/${p.cloud}`).toBeGreaterThan(50);
    }
    expect(dom.match(/>no data</g)).toHaveLength(2);
    expect(ORIGINS.filter((o) => panels.some((p) => p.cloud === o))).toEqual(['aws', 'gcp', 'azure']);
  });
});
