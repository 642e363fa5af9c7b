/**
 * `--report FILE.html`: one self-contained page about a run — candlesticks per series from each cloud side by side,
 * throughput and sync lag over time, and a summary table. The charting library's standalone build and the data
 * are inlined, so the page opens from disk with no network.
 *
 * Charts are drawn by TradingView Lightweight Charts (Apache-2.0): made for financial candlesticks, a canvas
 * renderer that stays fluid with thousands of bars, ~200 KB standalone, one small dependency. Its licence asks
 * for the NOTICE attribution and a link to tradingview.com on the page; the page header carries both.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ExportedWindow, Origin } from '../../shared/core/index.ts';
import { buildReportModel, type ReportModel } from './report-model.ts';

export interface TimelineSample {
  /** ms since the run started */
  t: number;
  cloud: Origin;
  /** records ingested so far (cumulative) */
  ingestedRecords: number;
  /** sync lag per source cloud in ms, when known */
  syncLagMs: Partial<Record<Origin, number>>;
}

export interface ReportData {
  title: string;
  /** ISO time */
  generatedAt: string;
  /** each cloud's export (see the shared/core export format) */
  windows: Record<Origin, readonly ExportedWindow[]>;
  timeline: readonly TimelineSample[];
  /** e.g. records, seconds, verification verdicts */
  summary?: Record<string, string | number>;
}

/** The id of the `<script type="application/json">` element holding the page's model. */
export const REPORT_DATA_ELEMENT_ID = 'tricloud-report-data';

/**
 * The whole HTML page for a run.
 *
 * @example
 * const html = renderReport({ title: 'dev run', generatedAt: new Date().toISOString(), windows, timeline });
 */
export function renderReport(data: ReportData): string {
  const model = buildReportModel(data);
  const summaryRows = model.summary
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(formatValue(v))}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(model.title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(model.title)}</h1>
<p class="meta">Generated ${escapeHtml(model.generatedAt)}. Charts by
<a href="https://www.tradingview.com/">TradingView Lightweight Charts™</a>, Copyright (c) TradingView, Inc.
(Apache License 2.0).</p>
</header>
${summaryRows === '' ? '' : `<section><h2>Summary</h2><table class="summary">${summaryRows}</table></section>`}
<main id="charts"></main>
<script type="application/json" id="${REPORT_DATA_ELEMENT_ID}">${inlineJson(model)}</script>
<script>${chartLibrary()}</script>
<script>${pageScript()}</script>
</body>
</html>
`;
}

/** Writes the page for a run to `file`, creating its directory. */
export async function writeReport(file: string, data: ReportData): Promise<void> {
  const html = renderReport(data);
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, html);
}

/** Reads the model back out of a rendered page (what the page's script reads), for checks and tools. */
export function readInlinedModel(html: string): ReportModel {
  const open = `<script type="application/json" id="${REPORT_DATA_ELEMENT_ID}">`;
  const start = html.indexOf(open);
  const end = html.indexOf('</script>', start);
  if (start < 0 || end < 0)
    throw new Error('this page holds no tricloud report data; was it written by writeReport?');
  return JSON.parse(html.slice(start + open.length, end)) as ReportModel;
}

/**
 * JSON safe inside a `<script>` element: `<` is escaped so no `</script>` or `<!--` in a series name or summary
 * can end the element early; JSON.parse reads `\u003c` back as `<`. U+2028/2029 are escaped for old parsers.
 */
function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function formatValue(v: string | number): string {
  return typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 3 }) : v;
}

let library: string | undefined;
/** The library's standalone build (defines `window.LightweightCharts`), read from node_modules once. */
function chartLibrary(): string {
  if (library === undefined) {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('lightweight-charts/package.json'));
    // `</script` cannot occur in the minified build today; escaping keeps that true for later versions.
    library = readFileSync(
      path.join(dir, 'dist', 'lightweight-charts.standalone.production.js'),
      'utf8',
    ).replaceAll('</script', '<\\/script');
  }
  return library;
}

let script: string | undefined;
/** The browser script that draws the model (plain JavaScript, kept in its own file so Biome checks it). */
function pageScript(): string {
  script ??= readFileSync(path.join(import.meta.dirname, 'report-page.js'), 'utf8');
  return script;
}

const PAGE_CSS = `
:root { color-scheme: light; --aws: #ff9900; --gcp: #4285f4; --azure: #8661c5; }
* { box-sizing: border-box; }
body { margin: 0; padding: 16px 24px 32px; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1f2328; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 20px 0 8px; }
h3 { font-size: 13px; margin: 12px 0 4px; color: #57606a; font-weight: 600; }
.meta { margin: 0; color: #57606a; font-size: 12px; }
.meta a { color: inherit; }
table.summary { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.summary th, table.summary td { padding: 3px 12px 3px 0; text-align: left; border-bottom: 1px solid #eaeef2; }
table.summary th { font-weight: 600; color: #57606a; }
.grid3 { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px; }
.panel { border: 1px solid #d0d7de; border-radius: 6px; padding: 6px 8px 8px; min-width: 0; }
.panel-head { display: flex; justify-content: space-between; gap: 8px; font-size: 12px; color: #57606a;
  white-space: nowrap; overflow: hidden; }
.panel-head b { color: #1f2328; }
.chart { position: relative; height: 200px; }
.chart.wide { height: 220px; }
.empty { display: flex; align-items: center; justify-content: center; height: 200px; color: #8c959f;
  background: #f6f8fa; border-radius: 4px; }
.legend { display: flex; gap: 14px; font-size: 12px; color: #57606a; margin: 4px 0; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px;
  vertical-align: -1px; }
.note { font-size: 12px; color: #9a6700; }
.error { color: #cf222e; white-space: pre-wrap; }
`;
