/**
 * The live status page in headless Chromium, served by the real server (`startStatusServer`) from a stand-in for
 * the clouds: the three clouds' panels (one cut, with its reason), each cloud's candles drawn as SVG, and a change of
 * the model shown while the page stays loaded — polled with a deadline, never slept on.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type StatusPage, startStatusServer } from '../../scripts/status/status-server.ts';
import { eventually } from '../helpers/eventually.ts';
import { StubStatusSource, statusModel } from '../helpers/status-models.ts';
import { type DevtoolsPage, openPage } from './devtools-page.ts';

interface View {
  version?: string;
  candlesOf?: string;
  clouds: { cloud: string; reachable: string; text: string }[];
  candles: Record<string, { candles: number; inside: boolean; colours: string[]; text: string }>;
  reasons: string[];
}

/** What the page shows, read in the page. */
const READ_VIEW = `(() => {
  const svgBox = (svg) => svg.viewBox.baseVal;
  const candles = {};
  for (const panel of document.querySelectorAll('[data-candles-cloud]')) {
    const rects = [...panel.querySelectorAll('rect.candle')];
    const svg = panel.querySelector('svg');
    const inside = rects.every((r) => {
      const box = svgBox(svg);
      const x = r.x.baseVal.value, y = r.y.baseVal.value, h = r.height.baseVal.value;
      return x >= 0 && x <= box.width && y >= 0 && y + h <= box.height + 0.001 && h > 0;
    });
    candles[panel.dataset.candlesCloud] = {
      candles: rects.length,
      inside,
      colours: [...new Set(rects.map((r) => r.getAttribute('fill')))].sort(),
      text: panel.textContent,
    };
  }
  return {
    version: document.body.dataset.version,
    candlesOf: document.body.dataset.candles,
    clouds: [...document.querySelectorAll('#clouds [data-cloud]')].map((p) => ({
      cloud: p.dataset.cloud, reachable: p.dataset.reachable, text: p.textContent,
    })),
    candles,
    reasons: [...document.querySelectorAll('[data-reason]')].map((r) => r.firstChild.textContent + ' × ' + r.lastChild.textContent),
  };
})()`;

const source = new StubStatusSource();
let server: StatusPage;
let browser: DevtoolsPage;

beforeAll(async () => {
  server = await startStatusServer(source, { refreshMs: 200 });
  browser = await openPage(inject('chromiumPath'), server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const view = (what: string, done: (v: View) => boolean) =>
  eventually(() => browser.evaluate<View>(READ_VIEW), done, { what, timeoutMs: 60_000, intervalMs: 200 });

describe('the live status page', () => {
  it("shows the three clouds' panels, the cut one with its reasons", async () => {
    const shown = await view('the three panels', (v) => v.clouds.length === 3);
    expect(shown.clouds.map((c) => [c.cloud, c.reachable])).toEqual([
      ['aws', 'false'],
      ['gcp', 'true'],
      ['azure', 'true'],
    ]);
    expect(shown.clouds[0]!.text).toContain('SQS: connect ECONNREFUSED 127.0.0.1:4566');
    expect(shown.clouds[0]!.text).toContain('DynamoDB: connect ECONNREFUSED 127.0.0.1:4567');
    expect(shown.clouds[1]!.text).toContain('Pub/Sub');
    expect(shown.clouds[2]!.text).toContain('0: 41, 1: empty');
    expect(shown.reasons).toContain('seq must be an integer from 0 to 2^53 − 1 × 12');
  });

  it("draws each cloud's candles for the chosen series, and says which cloud did not answer", async () => {
    const shown = await view(
      'the candles',
      (v) => v.candles.gcp?.candles === 20 && v.candles.azure?.candles === 20,
    );
    expect(shown.candlesOf).toBe('BTCUSDT|1m');
    for (const cloud of ['gcp', 'azure']) {
      expect(shown.candles[cloud], cloud).toMatchObject({
        candles: 20,
        inside: true,
        colours: ['#26a69a', '#ef5350'],
      });
    }
    expect(shown.candles.aws).toMatchObject({ candles: 0 });
    expect(shown.candles.aws!.text).toContain('connect ECONNREFUSED 127.0.0.1:4567');
  });

  it('shows a change of the model without a reload', async () => {
    await view('the first model', (v) => v.version !== undefined && v.candles.gcp?.candles === 20);
    await browser.evaluate('window.loadedOnce = "yes"');
    const next = statusModel(7);
    next.clouds.aws = { ...next.clouds.gcp, cloud: 'aws', problems: [], reachable: true };
    next.clouds.gcp.deadLetters!.byReason = [
      { reason: 'late: older than the maximum lateness allows', count: 99, lastAt: next.at },
    ];
    source.model = next;
    source.candleCount.gcp = 21;
    const shown = await view('the changed model', (v) => v.version === '7' && v.candles.gcp?.candles === 21);
    expect(shown.clouds.map((c) => c.reachable)).toEqual(['true', 'true', 'true']);
    expect(shown.reasons).toContain('late: older than the maximum lateness allows × 99');
    expect(await browser.evaluate('window.loadedOnce')).toBe('yes');
  });
});
