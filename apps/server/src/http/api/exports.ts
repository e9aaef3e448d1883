// GET /api/v1/exports/:id/download (an export's file) and GET /api/v1/export (raw samples of up to
// 7 days streamed directly, for scripts). Strangers get 404 for a download, never a hint.
import { pipeline } from 'node:stream/promises';
import {
  AppError, User, accessToWorkspace, contentTypes, exportLinks, exportSource, findAgent, kindQueries, openExportFile, recordAudit,
  type Runtime,
} from '@tandem/core';
import { exportFormatSchema, idSchema } from '@tandem/schema';
import type { IncomingMessage } from 'node:http';
import { bearerToken } from '../../context.ts';
import type { ApiContext } from './index.ts';
import { authorize, parseTime } from './metrics-read.ts';
import { sendJson } from './respond.ts';

const DOWNLOAD_PATH = /^\/api\/v1\/exports\/([^/]+)\/download$/;
/** The longest range GET /api/v1/export streams; longer ones are export jobs. */
export const DIRECT_EXPORT_MAX_MS = 7 * 86_400_000;

export const isDownloadPath = (path: string) => DOWNLOAD_PATH.test(path);

/** The signed-in user of a bearer token, or null (no token, bad, expired or signed out). */
async function bearerUser(rt: Runtime, req: IncomingMessage): Promise<string | null> {
  const token = bearerToken(req.headers.authorization);
  const claims = token ? await rt.tokens.verify(token).catch(() => null) : null;
  if (!claims || claims.expiresAt <= Date.now()) return null;
  const user = await rt.orm.em.fork().findOne(User, { id: claims.userId });
  return user && user.tokenVersion === claims.tokenVersion ? user.id : null;
}

/** RFC 6266: an ASCII fallback and the UTF-8 name. */
const disposition = (name: string) =>
  `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;

export async function handleExportDownload(ctx: ApiContext): Promise<void> {
  const { res, req, url, services: { rt } } = ctx;
  const notFound = () => sendJson(res, 404, { error: 'Export not found' });
  const id = idSchema.safeParse(DOWNLOAD_PATH.exec(url.pathname)?.[1]);
  if (!id.success) return notFound();
  const em = rt.orm.em.fork();
  const links = await exportLinks(rt.config);
  const signed = links.verify(id.data, url.searchParams.get('expires'), url.searchParams.get('sig'));
  const userId = signed ? null : await bearerUser(rt, req);
  if (!signed && !userId) return notFound();
  const found = await openExportFile(em, rt.config.DATA_DIR, id.data);
  if (!found) return notFound();
  try {
    if (userId && (await accessToWorkspace(em, found.row.workspaceId, userId))?.role !== 'admin') return notFound();
    recordAudit(em, { workspaceId: found.row.workspaceId, actorId: userId, action: 'export.downloaded', targetId: found.row.id, data: { signedLink: signed } });
    await em.flush();
    res.writeHead(200, {
      'content-type': found.contentType,
      'content-length': String(found.size),
      'content-disposition': disposition(found.fileName),
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    });
    await pipeline(found.file.createReadStream({ autoClose: false }), res);
  } finally {
    await found.file.close().catch(() => undefined);
  }
}

/** `?workspaceId=&agent=&from=&to=&format=csv|json|ndjson`: raw samples, streamed as they are read. */
export async function handleRawExport(ctx: ApiContext): Promise<void> {
  const scope = await authorize(ctx);
  if (!scope) return;
  const { url, res, services: { rt } } = ctx;
  const problems: { field: string; message: string }[] = [];
  const format = exportFormatSchema.safeParse(url.searchParams.get('format') ?? 'csv');
  if (!format.success) problems.push({ field: 'format', message: 'must be csv, json or ndjson' });
  const time = (field: 'from' | 'to', fallback: number) => {
    const raw = url.searchParams.get(field);
    const ms = raw === null ? fallback : parseTime(raw);
    if (ms === null) problems.push({ field, message: 'must be epoch milliseconds or an ISO-8601 date-time' });
    return ms ?? fallback;
  };
  const to = time('to', Date.now());
  const from = time('from', to - 3_600_000);
  if (to <= from) problems.push({ field: 'to', message: 'must be after from' });
  const refs = [...new Set(url.searchParams.getAll('agent').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean))];
  if (refs.length > 50) problems.push({ field: 'agent', message: 'name at most 50 agents' });
  if (problems.length || !format.success) return sendJson(res, 400, { error: 'Invalid parameters', problems });
  if (to - from > DIRECT_EXPORT_MAX_MS)
    return sendJson(res, 413, { error: 'At most 7 days are streamed directly; export longer ranges as a job with export.create (kind metrics)' });

  const em = rt.orm.em.fork();
  const agentIds: string[] = [];
  try {
    for (const ref of refs) agentIds.push((await findAgent(em, scope.workspaceId, ref)).id);
  } catch (err) {
    if (err instanceof AppError) return sendJson(res, err.httpStatus, { error: err.message, problems: [{ field: 'agent', message: err.message }] });
    throw err;
  }
  // A few per user at a time, like the other expensive reads (GET /api/v1/metrics).
  await ctx.services.heavy.run(`user:${scope.userId}`, async () => {
    const q = kindQueries.metrics({ workspaceId: scope.workspaceId, from: new Date(from), to: new Date(to), agentIds });
    const source = exportSource(q, format.data, { orm: rt.orm, databaseUrl: rt.config.DATABASE_URL ? rt.databaseUrl : undefined, counter: { rows: 0 } });
    res.writeHead(200, {
      'content-type': contentTypes[format.data],
      'content-disposition': `attachment; filename="tandem-metrics-${new Date(from).toISOString().slice(0, 10)}.${format.data}"`,
      'cache-control': 'private, no-store',
    });
    // A client that leaves destroys the source (and its COPY connection) through the pipeline.
    await pipeline(source, res).catch((err: unknown) => {
      rt.log.warn({ err }, 'raw export stream ended early');
      res.destroy();
    });
  });
}
