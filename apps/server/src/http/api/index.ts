// REST routes under /api/v1 (docs/api.md "HTTP"): metrics ingestion for agents, reads for scripts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerServices } from '../../services.ts';
import { handleIngest } from './ingest.ts';
import { handleAgentsRead, handleMetricsRead } from './metrics-read.ts';
import { handleExportDownload, handleRawExport, isDownloadPath } from './exports.ts';
import { sendJson } from './respond.ts';

export interface ApiContext {
  services: ServerServices;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
}

type Handler = (ctx: ApiContext) => Promise<void>;
const ROUTES: Record<string, Partial<Record<string, Handler>>> = {
  '/api/v1/metrics': { POST: handleIngest, GET: handleMetricsRead },
  '/api/v1/agents': { GET: handleAgentsRead },
  '/api/v1/export': { GET: handleRawExport },
};

export async function handleApi(ctx: ApiContext): Promise<void> {
  const methods = isDownloadPath(ctx.url.pathname) ? { GET: handleExportDownload } : ROUTES[ctx.url.pathname];
  if (!methods) return sendJson(ctx.res, 404, { error: 'Not found' });
  const handler = methods[ctx.req.method ?? 'GET'];
  if (!handler) return sendJson(ctx.res, 405, { error: 'Method not allowed' }, { allow: Object.keys(methods).join(', ') });
  await handler(ctx);
}
