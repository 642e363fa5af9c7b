/**
 * Layout check, run by `npm test` (`npm run arch`): docs/ARCHITECTURE.md's Layout table is the rule, and this
 * holds the code to it, so the table cannot drift from the tree.
 *
 * Each row names folders (or a file pattern), what they own, and what they may import: repo paths (a folder
 * prefix like `shared/core/`, or `shared/clouds/*.ts` for a folder's own files), npm packages (`typebox`,
 * `@aws-sdk/*`), `node:*` for Node's built-ins, `any package`, or `everything`. Every source file must fall under
 * a row (the longest matching folder), and every import of it must be allowed by that row. Imports are read from
 * the source text, `import type` included, because a type import is a dependency of the design too even though
 * the bundler erases it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const sourceFolders = ['shared', 'functions', 'producers', 'scripts', 'test'];
const sourceFile = /\.(ts|mts|js|mjs)$/;

interface Row {
  folders: string[];
  allowedPaths: string[];
  allowedPackages: string[];
  anyPackage: boolean;
  builtins: boolean;
  everything: boolean;
}

/** `a/{b,c}/` → `a/b/`, `a/c/`. */
function expandBraces(pattern: string): string[] {
  const m = /\{([^}]*)\}/.exec(pattern);
  if (m === null) return [pattern];
  return m[1]!
    .split(',')
    .flatMap((alt) =>
      expandBraces(pattern.slice(0, m.index) + alt.trim() + pattern.slice(m.index + m[0].length)),
    );
}

const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
const isRepoPath = (token: string) => sourceFolders.some((f) => token === f || token.startsWith(`${f}/`));

function parseRow(cells: string[]): Row {
  const [folderCell = '', , mayCell = ''] = cells;
  const may = ticked(mayCell).flatMap(expandBraces);
  return {
    folders: ticked(folderCell).flatMap(expandBraces),
    allowedPaths: may.filter(isRepoPath),
    allowedPackages: may.filter((t) => !isRepoPath(t) && t !== 'node:*'),
    anyPackage: /any package/.test(mayCell),
    builtins: may.includes('node:*'),
    everything: /\beverything\b/.test(mayCell),
  };
}

/** The rows of the table under `## Layout`. */
function readLayoutTable(): Row[] {
  const doc = readFileSync(path.join(root, 'docs', 'ARCHITECTURE.md'), 'utf8');
  const section = doc.slice(doc.indexOf('\n## Layout'));
  const lines = section.split('\n').slice(1);
  const table = lines.slice(lines.findIndex((l) => l.startsWith('|')));
  const rows = table
    .slice(
      0,
      table.findIndex((l) => !l.startsWith('|')),
    )
    .slice(2);
  return rows.map((l) => parseRow(l.split('|').slice(1, -1)));
}

/** Does `file` (repo-relative) fall under `pattern`: a folder prefix, a `dir/*.ts` pattern, or the file itself? */
function covers(pattern: string, file: string): boolean {
  if (pattern.endsWith('/')) return file.startsWith(pattern);
  const star = pattern.indexOf('*');
  if (star >= 0) {
    const dir = pattern.slice(0, star);
    return (
      file.startsWith(dir) && !file.slice(dir.length).includes('/') && file.endsWith(pattern.slice(star + 1))
    );
  }
  return file === pattern;
}

/** The row with the longest pattern covering `file`. */
function rowOf(rows: Row[], file: string): Row | undefined {
  let best: { row: Row; length: number } | undefined;
  for (const row of rows) {
    for (const f of row.folders) {
      if (covers(f, file) && (best === undefined || f.length > best.length)) best = { row, length: f.length };
    }
  }
  return best?.row;
}

function listSources(): string[] {
  return sourceFolders.flatMap((folder) =>
    readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' })
      .map((f) => path.posix.join(folder, f.split(path.sep).join('/')))
      .filter((f) => sourceFile.test(f) && !f.endsWith('.d.ts')),
  );
}

/** Module specifiers of static imports and re-exports (types too) and of dynamic imports with a literal prefix. */
function importsOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specifiers: string[] = [];
  for (const m of code.matchAll(/^\s*(?:import|export)\s[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/gm))
    specifiers.push(m[1]!);
  for (const m of code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) specifiers.push(m[1]!);
  for (const m of code.matchAll(/\bimport\(\s*['"`]([^'"`$]+)/g)) specifiers.push(m[1]!);
  return specifiers;
}

const builtins = new Set(builtinModules);
const packageName = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');
const packageAllowed = (allowed: string[], name: string) =>
  allowed.some((a) => a === name || (a.endsWith('/*') && name.startsWith(a.slice(0, -1))));

function importViolation(row: Row, file: string, spec: string): string | undefined {
  if (row.everything) return undefined;
  if (spec.startsWith('.')) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    if (row.allowedPaths.some((p) => covers(p, target) || `${target}/` === p)) return undefined;
    return `${file} imports ${target}, which its row of the Layout table does not allow`;
  }
  if (spec.startsWith('node:') || builtins.has(spec)) {
    return row.builtins || row.anyPackage
      ? undefined
      : `${file} imports Node's ${spec}; its row allows no built-ins`;
  }
  const name = packageName(spec);
  if (row.anyPackage || packageAllowed(row.allowedPackages, name)) return undefined;
  return `${file} imports the package '${name}', which its row of the Layout table does not allow`;
}

const rows = readLayoutTable();
const violations: string[] = [];
for (const row of rows) {
  for (const p of [...row.folders, ...row.allowedPaths]) {
    const base = p.includes('*') ? path.dirname(p) : p;
    try {
      readdirSync(path.join(root, base.endsWith('/') ? base : path.dirname(base)));
    } catch {
      violations.push(`the Layout table names ${p}, which does not exist`);
    }
  }
}
const files = listSources();
for (const file of files) {
  const row = rowOf(rows, file);
  if (row === undefined) {
    violations.push(`${file} is in no folder of docs/ARCHITECTURE.md's Layout table: add a row or move it`);
    continue;
  }
  for (const spec of importsOf(readFileSync(path.join(root, file), 'utf8'))) {
    const v = importViolation(row, file, spec);
    if (v !== undefined) violations.push(v);
  }
}

if (rows.length === 0 || violations.length > 0) {
  if (rows.length === 0) console.error('layout: no table found under "## Layout" in docs/ARCHITECTURE.md');
  for (const v of violations) console.error(`layout: ${v}`);
  process.exit(1);
}
console.log(
  `layout: ${files.length} files follow the ${rows.length} rows of docs/ARCHITECTURE.md's Layout table`,
);
