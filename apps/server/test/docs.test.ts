// The documents stay true to the code: docs/api.md lists every procedure, variable and tool and
// nothing that is gone; the documents name only paths and tests that exist.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { environmentSchema } from '@tandem/schema';
import { tools } from '@tandem/tools';
import { appRouter } from '../src/routers/_app.ts';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

/** The text under a `## heading` up to the next heading (its subsections are not included). */
function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === `## ${heading}`);
  if (start < 0) throw new Error(`no "## ${heading}" section`);
  const end = lines.findIndex((l, i) => i > start && /^#{1,6} /.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** Each table row's cells (header and separator rows included; callers filter). */
function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((l) => l.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim()));
}

/** Variables named in the first column of a section's table: `UPPER_CASE` in backticks. */
function documentedVariables(text: string): string[] {
  return tableRows(text).flatMap(([first = '']) => [...first.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));
}

/** Procedure → kind, from the rows whose first cell is one dotted name in backticks. */
function documentedProcedures(text: string): Map<string, string> {
  const rows = tableRows(text).flatMap(([first = '', kind = '']) => {
    const m = /^`(\w+\.\w+)`$/.exec(first);
    return m ? [[m[1]!, kind] as const] : [];
  });
  return new Map(rows);
}

const api = read('docs/api.md');
const variables = Object.keys(environmentSchema.shape).sort();
const procedures = new Map(
  Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>).map(([path, p]) => [path, p._def.type]),
);

describe('docs/api.md', () => {
  it('lists every procedure of appRouter with its kind, and no procedure the router lacks', () => {
    expect(procedures.size).toBeGreaterThan(30);
    const documented = documentedProcedures(section(api, 'tRPC procedures'));
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(procedures));
  });

  it('lists every variable of the configuration schema, and none it does not read', () => {
    expect(variables).toContain('DATABASE_URL');
    expect([...new Set(documentedVariables(section(api, 'Configuration (environment)')))].sort()).toEqual(variables);
  });

  it('lists every assistant tool', () => {
    const documented = tableRows(section(api, 'Assistant tools (`packages/tools`)')).map(([first = '']) => /^`(\w+)`$/.exec(first)?.[1]).filter(Boolean);
    expect(documented.sort()).toEqual(tools.map((t) => t.name).sort());
  });
});

/** `a/{b,c}.ts` → `a/b.ts`, `a/c.ts`. */
function expandBraces(path: string): string[] {
  const m = /\{([^{}]*)\}/.exec(path);
  if (!m) return [path];
  return m[1]!.split(',').flatMap((alt) => expandBraces(path.slice(0, m.index) + alt + path.slice(m.index + m[0].length)));
}

/** Repository paths a document names in backticks, and the files its relative links point at. */
function citedPaths(doc: string): string[] {
  const text = read(doc);
  const named = [...text.matchAll(/`((?:apps|packages|docs|infra|e2e|bench|scripts|\.ci)\/[^`\s]*)`/g)].flatMap((m) => expandBraces(m[1]!));
  const dir = doc.includes('/') ? doc.slice(0, doc.lastIndexOf('/') + 1) : '';
  const linked = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
    .map((m) => m[1]!)
    .filter((l) => !/^[a-z]+:/.test(l))
    .map((l) => new URL(l, new URL(dir, root)).pathname.slice(new URL(root).pathname.length));
  return [...new Set([...named, ...linked])];
}

describe('paths the documents cite', () => {
  it.each(['README.md', 'docs/api.md', 'docs/reliability.md', 'docs/architecture.md', 'infra/README.md'])('%s names only paths that exist', (doc) => {
    const paths = citedPaths(doc);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((p) => !existsSync(new URL(p, root)))).toEqual([]);
  });

  it('docs/reliability.md names tests that exist in the files it gives', () => {
    const bullets = read('docs/reliability.md').split('\n').filter((l) => /^- `[^`]+\.test\.ts` — /.test(l));
    expect(bullets.length).toBeGreaterThan(20);
    for (const bullet of bullets) {
      const file = /^- `([^`]+)`/.exec(bullet)![1]!;
      const source = read(file).replace(/\\'/g, "'");
      for (const [, name] of bullet.matchAll(/"([^"]+)"/g)) expect(source, `${file}: "${name}"`).toContain(name);
    }
  });
});

describe('README', () => {
  it('its configuration table names exactly the variables of the configuration schema', () => {
    expect([...new Set(documentedVariables(section(read('README.md'), 'Configuration')))].sort()).toEqual(variables);
  });

  it('links the documents of docs/', () => {
    const readme = read('README.md');
    for (const doc of ['docs/api.md', 'docs/reliability.md', 'docs/architecture.md', 'infra/README.md'])
      expect(readme, doc).toContain(`](${doc})`);
  });
});
