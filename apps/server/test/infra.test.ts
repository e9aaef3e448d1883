// What can be checked of infra/ without a container engine: the compose file parses, its services
// run what exists with variables the configuration accepts, and the Dockerfile is sound.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environmentSchema, parseConfig } from '@tandem/schema';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const infra = `${root}infra/`;
const read = (path: string) => readFileSync(path, 'utf8');
const packageJson = JSON.parse(read(`${root}package.json`)) as {
  scripts: Record<string, string>;
  dependencies?: Record<string, string>;
};

interface Service {
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  expose?: string[];
  healthcheck?: { disable?: boolean };
}
const compose = parse(read(`${infra}docker-compose.yml`), { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
/** Our services: the ones built from this repository (the others are stock images). */
const ours = Object.entries(compose.services).filter(([, s]) => s.build);

/** A Dockerfile as instructions, continuation lines joined, comments dropped. */
function instructions(dockerfile: string): { op: string; args: string }[] {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

/** Compose's `${VAR:-default}` / `${VAR:?message}` substitution, from `env`. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::?([-?])([^}]*))?\}/g, (_all, name: string, kind?: string, rest?: string) => {
    if (env[name] !== undefined) return env[name];
    if (kind === '?') throw new Error(`${name} must be set: ${rest}`);
    return rest ?? '';
  });
}

/** The command must be an npm script of the root package.json, or node running a file that exists. */
function checkCommand(command: string[]): void {
  if (command[0] === 'npm') {
    expect(command[1], command.join(' ')).toBe('run');
    expect(Object.keys(packageJson.scripts)).toContain(command[2]);
    return;
  }
  expect(command[0], command.join(' ')).toBe('node');
  const args = command.slice(1);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--import') {
      // The image keeps production dependencies only: a loader it imports must be one.
      expect(Object.keys(packageJson.dependencies ?? {}), `--import ${args[i + 1]}`).toContain(args[i + 1]);
      i++;
      continue;
    }
    if (args[i]!.startsWith('-')) continue;
    expect(existsSync(`${root}${args[i]}`), `${args[i]} exists`).toBe(true);
    return;
  }
  throw new Error(`no file to run in ${command.join(' ')}`);
}

describe('infra/docker-compose.yml', () => {
  it('runs servers, workers and the optional demo from the repository, a database, Redis, a proxy and Prometheus', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['demo', 'postgres', 'prometheus', 'proxy', 'redis', 'server', 'worker']);
    expect(ours.map(([name]) => name).sort()).toEqual(['demo', 'server', 'worker']);
  });

  it('builds each of our services from a Dockerfile that exists, in a context that is the repository', () => {
    for (const [, s] of ours) {
      const context = new URL(s.build!.context + '/', new URL('file://' + infra)).pathname;
      expect(context).toBe(root);
      expect(existsSync(context + s.build!.dockerfile)).toBe(true);
    }
  });

  it("runs an npm script or an existing file in each of our services, the Dockerfile's default included", () => {
    for (const [, s] of ours) checkCommand(s.command!);
    const cmd = instructions(read(`${infra}Dockerfile`)).filter((i) => i.op === 'CMD').at(-1)!;
    checkCommand(JSON.parse(cmd.args) as string[]);
  });

  it('sets only variables the configuration reads, and they parse as services mode', () => {
    const known = Object.keys(environmentSchema.shape);
    for (const [name, s] of ours) {
      expect(Object.keys(s.environment ?? {}).filter((k) => !known.includes(k)), name).toEqual([]);
      const env = Object.fromEntries(
        Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), { JWT_SECRET: 'x'.repeat(32) })]),
      );
      const config = parseConfig(env);
      expect(config.mode, name).toBe('services');
      // Only the demo process seeds: several servers seeding at once would race.
      expect(config.DEMO, name).toBe(name === 'demo');
    }
  });

  it('mounts files that exist and volumes it declares, and Prometheus scrapes the server on its port', () => {
    for (const s of Object.values(compose.services))
      for (const volume of s.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(infra + source), volume).toBe(true);
        else expect(Object.keys(compose.volumes ?? {}), volume).toContain(source);
      }
    const prometheus = parse(read(`${infra}prometheus.yml`)) as { scrape_configs: { dns_sd_configs: { names: string[]; port: number }[] }[] };
    const target = prometheus.scrape_configs.flatMap((c) => c.dns_sd_configs)[0]!;
    expect(target.names).toEqual(['server']);
    expect(compose.services.server!.expose).toContain(String(target.port));
  });
});

describe('infra/Dockerfile', () => {
  const steps = instructions(read(`${infra}Dockerfile`));
  const stages = steps.reduce<number[]>((at, s, i) => (s.op === 'FROM' ? [...at, i] : at), []);
  const last = steps.slice(stages.at(-1));

  it('copies only paths that exist in the build context', () => {
    const copies = steps.filter((s) => s.op === 'COPY' && !s.args.includes('--from='));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const sources = copy.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1);
      for (const source of sources) expect(existsSync(root + source), source).toBe(true);
    }
  });

  it('installs with npm ci, builds the web app and the worker and server bundles, and ships a second stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runs = steps.filter((s) => s.op === 'RUN').map((s) => s.args);
    expect(runs.some((r) => /\bnpm ci\b/.test(r) && !r.includes('--omit=dev'))).toBe(true);
    expect(runs.some((r) => r.includes('@tandem/web:build'))).toBe(true);
    // The compose file's worker and server run apps/{worker,server}/dist/main.mjs: the image must build them.
    expect(runs.some((r) => r.includes('@tandem/worker:build'))).toBe(true);
    expect(runs.some((r) => r.includes('@tandem/server:build'))).toBe(true);
    expect(last.some((s) => s.op === 'COPY' && s.args.includes('--from=build'))).toBe(true);
  });

  it('runs as a user other than root, with a health check on /healthz', () => {
    const user = last.filter((s) => s.op === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(last.find((s) => s.op === 'HEALTHCHECK')?.args).toContain('/healthz');
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, builds and local data out of the build context', () => {
    const patterns = read(`${root}.dockerignore`).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const needed of ['**/node_modules', '**/dist', 'data', '.git']) expect(patterns).toContain(needed);
  });
});
