// Test helpers for POST /api/v1/metrics: posting bodies, and reading back what was stored.
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import type { TestApp } from './harness.ts';
import { sqlRows } from './harness.ts';

export interface PostOptions {
  contentType?: string;
  gzip?: boolean;
  headers?: Record<string, string>;
  method?: string;
}

export interface PostResult {
  status: number;
  headers: Headers;
  body: any;
}

/** Posts a body (object → JSON, string or bytes as they are) with an ingest key. */
export async function postMetrics(url: string, key: string | null, body: unknown, opts: PostOptions = {}): Promise<PostResult> {
  let bytes: Buffer = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/json', ...opts.headers };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (opts.gzip) {
    bytes = gzipSync(bytes);
    headers['content-encoding'] = 'gzip';
  }
  const res = await fetch(`${url}/api/v1/metrics`, { method: opts.method ?? 'POST', headers, body: new Uint8Array(bytes) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** NDJSON text of the given lines. */
export const ndjson = (lines: unknown[]) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';

/** How many samples a workspace has stored. */
export async function sampleCount(app: TestApp, workspaceId: string): Promise<number> {
  const [row] = await sqlRows<{ n: number }>(app, 'select count(*)::int as n from metric_samples where workspace_id = ?', [workspaceId]);
  return row!.n;
}

/** A sample `secondsAgo` before now with the given fields. */
export const sampleAt = (secondsAgo: number, fields: Record<string, unknown> = { latency_ms: 100 }) => ({ ts: Date.now() - secondsAgo * 1000, ...fields });

/**
 * Holds back every sample insert until release(): a table lock on real PostgreSQL; on PGlite,
 * which runs one statement at a time for all connections, a sleeping statement.
 */
export async function stallSampleWrites(app: TestApp): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: app.rt.databaseUrl });
  client.on('error', () => undefined);
  await client.connect();
  if (app.rt.mode === 'services') {
    await client.query('begin');
    await client.query('lock table metric_samples in exclusive mode');
    return async () => {
      await client.query('rollback');
      await client.end();
    };
  }
  const sleeping = client.query('select pg_sleep(3)');
  return async () => {
    await sleeping;
    await client.end();
  };
}
