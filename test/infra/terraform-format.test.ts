/**
 * Every Terraform file is formatted as `terraform fmt` writes it. `@cdktf/hcl-tools` is HashiCorp's hclwrite
 * formatter (the code `terraform fmt` runs) compiled to WebAssembly, so the check needs no terraform binary.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { format } from '@cdktf/hcl-tools';
import { describe, expect, it } from 'vitest';
import { infraDir, terraformFiles } from './terraform-config.ts';

describe.each(['aws', 'gcp', 'azure'])('infra/%s', (cloud) => {
  it('is formatted as terraform fmt writes it', async () => {
    const files = await terraformFiles(cloud);
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const source = await readFile(file, 'utf8');
      expect(
        await format(source),
        `${path.relative(infraDir, file)}: run 'terraform fmt -recursive infra'`,
      ).toBe(source);
    }
  });
});

describe('the formatter', () => {
  it('rejects what terraform fmt would change (aligned equals signs, two-space indents)', async () => {
    const unformatted = 'resource "a" "b" {\n  x = 1\n  longer = 2\n    nested {\n  y=3\n  }\n}\n';
    const formatted = 'resource "a" "b" {\n  x      = 1\n  longer = 2\n  nested {\n    y = 3\n  }\n}\n';
    expect(await format(unformatted)).toBe(formatted);
  });
});
