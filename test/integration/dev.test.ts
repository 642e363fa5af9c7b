/**
 * `tricloud dev` (what `npm start` runs) end to end, as a user runs it: the CLI as a child process, starting its
 * own local stack (independent of the suite's), its built functions, producer and syncs. The exports must equal a
 * reference computed here from the same synthetic records, and the exit status must say so — also under `--chaos`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticRecords } from '../../producers/sources/synthetic.ts';
import { firstDifference, referenceWindows } from '../../scripts/dev/reference-windows.ts';
import { waitUntil } from '../../scripts/machine/wait-until.ts';
import { REPORT_DATA_ELEMENT_ID } from '../../scripts/report/write-report.ts';
import type { StatusModel } from '../../scripts/status/status-model.ts';
import { envNames } from '../../shared/config/environment.ts';
import { type ExportedWindow, ORIGINS, parseWindows } from '../../shared/core/index.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tricloud-dev-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI with no stack endpoints in its environment, so it starts servers of its own. */
function tricloud(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.values(envNames).flatMap((cloud) => Object.values(cloud))) delete env[name];
  delete env.TRICLOUD_WINDOWS;
  Object.assign(env, extraEnv);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/tricloud.ts', ...args], { cwd: root, env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** The records `dev` produces for these options: the synthetic source is deterministic by seed. */
function synthetic(records: number, seed: number, series = 8) {
  const next = syntheticRecords({ seed, series, records, intervalMs: 250 });
  return Array.from({ length: records }, () => next());
}

async function readExport(file: string): Promise<ExportedWindow[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ExportedWindow);
}

/** Records ingested per the last live-view rows printed (the non-TTY view prints rows with a time prefix). */
function ingestedInLastRows(output: string): number {
  const rows = [...output.matchAll(/^\[[^\]]+\] (aws|gcp|azure)\s+\d+\s+([\d,]+)\s/gm)];
  return rows.slice(-3).reduce((n, m) => n + Number(m[2]!.replaceAll(',', '')), 0);
}

/** The sum of a column of the summary table over the three clouds. */
function summaryColumn(output: string, name: string): number {
  const lines = output.split('\n');
  const header = lines.findIndex((l) => l.startsWith('cloud  records sent'));
  const columns = lines[header]!.split(/\s{2,}/);
  const index = columns.indexOf(name);
  return lines
    .slice(header + 1, header + 4)
    .reduce((n, line) => n + Number(line.trim().split(/\s+/)[index]), 0);
}

describe('tricloud dev', () => {
  it('runs 20,000 records through the built functions and exports three stores equal to the reference', async () => {
    const out = path.join(dir, 'plain');
    const report = path.join(dir, 'run.html');
    const { code, output } = await tricloud([
      'dev',
      '--records',
      '20000',
      '--export',
      out,
      '--report',
      report,
    ]);
    expect(output).toContain('✔ the three stores are identical');
    expect(code, output).toBe(0);

    const reference = referenceWindows(synthetic(20_000, 1), parseWindows('1m'));
    expect(reference.length).toBeGreaterThan(0);
    for (const cloud of ORIGINS) {
      const exported = await readExport(path.join(out, `${cloud}.ndjson`));
      expect(firstDifference(exported, reference), cloud).toBeUndefined();
    }
    // The live view's last rows come from the bundled functions' own metric lines (EMF, Cloud Logging, App
    // Insights shapes) read back: every record must show up there as ingested.
    expect(ingestedInLastRows(output)).toBeGreaterThanOrEqual(20_000);
    // The report engineer tests the page itself; here, that the run wrote one with its data.
    const html = await readFile(report, 'utf8');
    expect(html).toContain(`id="${REPORT_DATA_ELEMENT_ID}"`);
    expect(html).toContain('20,000 records');
  }, 300_000);

  it('ends exact under --chaos: a cloud cut and restored during production, messages delivered twice', async () => {
    const out = path.join(dir, 'chaos');
    const { code, output } = await tricloud([
      'dev',
      '--records',
      '10000',
      '--seed',
      '2',
      '--chaos',
      '--export',
      out,
    ]);
    expect(code, output).toBe(0);
    expect(output).toMatch(/chaos: cut \w+/);
    expect(output).toMatch(/chaos: restored \w+/);
    expect(output).toMatch(/chaos: published [1-9]\d* messages a second time/);
    // Re-published messages reach the functions, which skip their records and say so in their metrics.
    expect(summaryColumn(output, 'duplicates')).toBeGreaterThan(0);
    const reference = referenceWindows(synthetic(10_000, 2), parseWindows('1m'));
    for (const cloud of ORIGINS) {
      const exported = await readExport(path.join(out, `${cloud}.ndjson`));
      expect(firstDifference(exported, reference), cloud).toBeUndefined();
    }
  }, 300_000);

  it('ends exact on three clouds for a hot series: 100,000 trades in one minute, every other id, mirrored, with TRICLOUD_LOG_LEVEL=warn', async () => {
    // Ids shared across markets, as some exchanges issue them: the seq set gains a gap per record. Every record
    // goes to every cloud, in 1m and 1d windows. With the functions' info lines unwritten, draining, convergence
    // and verification must still hold: they read stores and returned reports, never log lines.
    const records = Array.from({ length: 100_000 }, (_, i) => ({
      series: 'HOTUSDT',
      seq: 2 * i + 1,
      ts: 1_700_000_040_000 + Math.floor(i * 0.59),
      value: 100 + (i % 97) / 10,
      qty: 0.001 * (1 + (i % 13)),
    }));
    const file = path.join(dir, 'hot.ndjson');
    await writeFile(file, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const out = path.join(dir, 'hot');
    const { code, output } = await tricloud(['dev', '--file', file, '--route', 'mirror', '--export', out], {
      TRICLOUD_WINDOWS: '1m,1d',
      TRICLOUD_LOG_LEVEL: 'warn',
    });
    expect(code, output).toBe(0);
    expect(output).toContain("TRICLOUD_LOG_LEVEL=warn: the ingest functions' metric lines go unwritten");
    expect(output).toContain('✔ the three stores are identical');
    const reference = referenceWindows(records, parseWindows('1m,1d'));
    for (const cloud of ORIGINS) {
      const exported = await readExport(path.join(out, `${cloud}.ndjson`));
      expect(firstDifference(exported, reference), cloud).toBeUndefined();
    }
    // Every cloud's largest item, from the summary: under the 350 KB every store takes.
    const largest = [...output.matchAll(/^(aws|gcp|azure)\s.*\s([\d.]+) KB$/gm)].map((m) => Number(m[2]));
    expect(largest).toHaveLength(3);
    for (const kb of largest) expect(kb).toBeLessThanOrEqual(350);
  }, 600_000);

  it('keeps running with --keep-running: the env file and the live status page, until Ctrl-C', async () => {
    const envFile = path.join(dir, 'keep.env');
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of Object.values(envNames).flatMap((cloud) => Object.values(cloud))) delete env[name];
    const child = spawn(
      process.execPath,
      ['scripts/tricloud.ts', 'dev', '--records', '2000', '--keep-running', '--env', envFile],
      { cwd: root, env },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const url = await waitUntil(async () => /status page (http:\/\/\S+)/.exec(output)?.[1], {
        description: 'dev to serve its status page',
        timeoutMs: 240_000,
        lastSeen: () => output.slice(-300),
      });
      expect(output).toContain('✔ the three stores are identical');
      expect(await readFile(envFile, 'utf8')).toContain('TRICLOUD_READ_URL_AWS=');
      const model = (await (await fetch(new URL('api/status', url))).json()) as StatusModel;
      for (const cloud of ORIGINS) {
        expect(model.clouds[cloud].reachable, cloud).toBe(true);
        expect(model.clouds[cloud].documents?.windows, cloud).toBeGreaterThan(0);
      }
      child.kill('SIGINT');
      expect(await exited, output).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 300_000);

  it('refuses a bad option with a sentence naming the fix, before starting anything', async () => {
    const { code, output } = await tricloud(['dev', '--route', 'sideways']);
    expect(code).toBe(1);
    expect(output).toContain("--route takes partition, failover or mirror, not 'sideways'.");
  });
});
