// Serves the built web app with SPA fallback: unknown paths get index.html.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json',
  '.woff2': 'font/woff2', '.map': 'application/json',
};

export function makeStaticHandler(root: string) {
  const base = resolve(root);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(base, path));
    const inside = file.startsWith(base + '/');
    const found = inside ? await stat(file).catch(() => null) : null;
    const target = found?.isFile() ? file : join(base, 'index.html');
    const ok = found?.isFile() || (await stat(target).catch(() => null))?.isFile();
    if (!ok) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('The web app is not built yet: run `npm run build -w apps/web`.');
      return;
    }
    const immutable = target.includes(`${base}/assets/`);
    res.writeHead(200, {
      'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      ...(target.endsWith('.html') ? { 'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; frame-ancestors 'none'" } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(target).pipe(res);
  };
}
