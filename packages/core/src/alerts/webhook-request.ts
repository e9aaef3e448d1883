// One webhook POST over node:http(s), on a fresh connection whose address guardedLookup checked
// (webhook-destination.ts).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { PrivateDestinationError, guardedLookup, hostOf, refusedLiteral, type Resolve } from './webhook-destination.ts';

export type WebhookAnswer =
  | { kind: 'answered'; status: number }
  /** No HTTP answer: `detail` (refused connection, timeout, TLS, DNS) is for the logs only. */
  | { kind: 'unreachable'; detail: string }
  | { kind: 'refused'; detail: string };

export interface WebhookPost {
  url: URL;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** WEBHOOK_ALLOW_PRIVATE: the operator lets webhooks reach private addresses. */
  allowPrivate: boolean;
  resolve?: Resolve;
}

/** Redirects are not followed, the answer's body is never read, and a receiver that does not answer in time is cut off. */
export function postWebhook(post: WebhookPost): Promise<WebhookAnswer> {
  const literal = post.allowPrivate ? null : refusedLiteral(post.url);
  if (literal) return Promise.resolve({ kind: 'refused', detail: literal });
  const request = post.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(post.url, {
      method: 'POST',
      headers: { ...post.headers, 'content-length': String(Buffer.byteLength(post.body)) },
      agent: false, // a connection of its own: the address checked is the address used
      ...(post.allowPrivate ? {} : { lookup: guardedLookup(post.resolve) }),
      signal: AbortSignal.timeout(post.timeoutMs),
    }, (res: IncomingMessage) => {
      res.destroy(); // the status is the answer; a body could be slow or endless
      resolve({ kind: 'answered', status: res.statusCode ?? 0 });
    });
    req.once('error', (err: Error & { code?: string }) => {
      if (err instanceof PrivateDestinationError) return resolve({ kind: 'refused', detail: err.message });
      const timedOut = err.name === 'AbortError' || err.name === 'TimeoutError';
      resolve({ kind: 'unreachable', detail: timedOut ? `no answer within ${post.timeoutMs} ms` : `${hostOf(post.url)}: ${err.code ?? err.message}` });
    });
    req.end(post.body);
  });
}
