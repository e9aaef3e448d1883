// The export.run job: streams the rows to a partial file (gzip optional), records progress on the
// row (throttled) and renames the file when complete. A retry starts over under a new attempt.
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ExportEntity } from '../entities/export.ts';
import type { Runtime } from '../runtime.ts';
import { kindQueries, type KindQuery } from './kinds.ts';
import { EXPORT_BUFFER_BYTES, exportSource } from './source.ts';
import { announceExport } from './exports.ts';
import { downloadName, ensureExportDir, exportPaths, fileExtension, removeExportFiles } from './files.ts';
import { queueExportWebhook } from '../export-schedules/webhook.ts';

/** Progress is written (and announced) at most this often. */
export const PROGRESS_INTERVAL_MS = 500;

export interface RunExportOptions {
  /** Aborts when the worker shuts down: the partial file is removed and the job goes back to the queue. */
  signal?: AbortSignal;
  /** Tests slow the stream down to watch progress and cancel mid-way. */
  delayPerChunkMs?: number;
}

export type RunExportResult = { status: 'completed'; rows: number; bytes: number } | { status: 'skipped' | 'cancelled' };

class ExportStopped extends Error {}

/** Counts the rows the query will give, where that is cheap enough to know up front (for percent). */
async function countRows(em: EntityManager, q: KindQuery): Promise<number> {
  const [row] = await em.getConnection().execute<{ n: string }[]>(`select count(*)::int8 as n from ${q.from} where ${q.where.join(' and ')}`);
  return Number(row?.n ?? 0);
}

export async function runExport(rt: Runtime, exportId: string, opts: RunExportOptions = {}): Promise<RunExportResult> {
  const em = rt.orm.em.fork();
  const row = await em.findOne(ExportEntity, { id: exportId });
  if (!row || (row.status !== 'queued' && row.status !== 'running')) return { status: 'skipped' };
  const attempt = row.attempt + 1;
  // Claim: only the current attempt may write the row from here on (a stalled worker's stops).
  const claimed = await em.nativeUpdate(
    ExportEntity,
    { id: exportId, attempt: row.attempt, status: { $in: ['queued', 'running'] } },
    { status: 'running', attempt, startedAt: new Date(), rows: 0, bytes: 0, error: null },
  );
  if (!claimed) return { status: 'skipped' };
  const mine = { id: exportId, attempt, status: 'running' as const };
  const announce = () => announceExport(rt.bus, row.workspaceId, exportId);

  const dataDir = rt.config.DATA_DIR;
  await ensureExportDir(dataDir);
  await removeExportFiles(dataDir, exportId); // an earlier attempt's partial file
  const ext = fileExtension(row.format, row.gzip);
  const paths = exportPaths(dataDir, exportId, attempt, ext);

  const q = kindQueries[row.kind]({ workspaceId: row.workspaceId, from: row.rangeFrom ?? null, to: row.rangeTo ?? null, agentIds: row.agentIds });
  // The total (for percent) is counted while the rows already stream: on PostgreSQL the count runs
  // on another connection, and waiting for it first added its time to every export (bench export).
  const startedAt = performance.now();
  const counted = countRows(em, q).then(async (total) => {
    await em.nativeUpdate(ExportEntity, mine, { totalRows: total });
    await announce();
  }).catch((err: Error) => rt.log.warn({ exportId, err: err.message }, 'export: counting the rows failed; progress has no percent'));

  const counter = { rows: 0 };
  let bytes = 0;
  let lastWrite = Date.now();
  const stop = new AbortController();
  const onShutdown = () => stop.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onShutdown, { once: true });

  // Progress is written beside the stream, never in its way: the chunk goes on at once and at most
  // one write is in flight (awaiting each one paused the rows every 500 ms, bench export). A write
  // that finds the row no longer ours (cancelled) stops the export; one that fails fails it.
  let writing = false;
  const flushProgress = async () => {
    const still = await em.nativeUpdate(ExportEntity, mine, { rows: counter.rows, bytes });
    if (!still) stop.abort(new ExportStopped('cancelled'));
    else await announce();
  };
  const meter = new Transform({
    highWaterMark: EXPORT_BUFFER_BYTES,
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      const now = Date.now();
      if (!writing && now - lastWrite >= PROGRESS_INTERVAL_MS) {
        lastWrite = now;
        writing = true;
        flushProgress().then(() => (writing = false), (err: Error) => stop.abort(err));
      }
      const delay = opts.delayPerChunkMs;
      if (delay) setTimeout(() => cb(null, chunk), delay);
      else cb(null, chunk);
    },
  });

  const source: Readable = exportSource(q, row.format, {
    orm: rt.orm, databaseUrl: rt.config.DATABASE_URL ? rt.databaseUrl : undefined, counter,
  });
  try {
    const file = createWriteStream(paths.part, { flags: 'wx', highWaterMark: EXPORT_BUFFER_BYTES });
    await Promise.all([counted, pipeline([source, meter, ...(row.gzip ? [createGzip()] : []), file], { signal: stop.signal })]);
    const size = (await stat(paths.part)).size;
    await rename(paths.part, paths.final);
    const done = await em.nativeUpdate(ExportEntity, mine, {
      status: 'completed', rows: counter.rows, bytes: size, finishedAt: new Date(), fileName: downloadName(row.kind, row.createdAt, ext),
    });
    if (!done) {
      // Cancelled (or taken over) in the last moment: the file is not offered, so it goes.
      await rm(paths.final, { force: true });
      return { status: 'cancelled' };
    }
    await announce();
    rt.log.info({ exportId, rows: counter.rows, bytes: size, ms: Math.round(performance.now() - startedAt) }, 'export completed');
    // A scheduled run whose schedule has a webhook: its delivery (best effort; the sweep catches up).
    if (row.scheduleId) await queueExportWebhook({ em, queues: rt.queues, log: rt.log }, exportId);
    return { status: 'completed', rows: counter.rows, bytes: size };
  } catch (err) {
    await rm(paths.part, { force: true });
    if (stop.signal.reason instanceof ExportStopped) return { status: 'cancelled' };
    if (opts.signal?.aborted) throw opts.signal.reason ?? err;
    throw stop.signal.aborted ? stop.signal.reason : err; // a failed progress write: its own reason
  } finally {
    opts.signal?.removeEventListener('abort', onShutdown);
  }
}
