// One context factory for HTTP and WebSocket. The token is verified here; authorisation happens
// per call in the procedures of trpc.ts, so a socket opened with a token later revoked is refused.
import type { IncomingMessage } from 'node:http';
import type { TokenClaims } from '@tandem/core';
import type { ServerServices } from './services.ts';
import { addressKey } from './http/client-address.ts';

/** Per-connection state (one per HTTP request, one per WebSocket). */
export interface ConnectionState {
  subscriptions: number;
}

/**
 * What a call's context keeps of its request: a WebSocket's context lives as long as the socket,
 * and its upgrade request (headers, raw headers, stream state: ~1.3 KB) is not worth keeping for
 * the one header read later (bench fanout, memory per viewer).
 */
export type RequestHead = Pick<IncomingMessage, 'headers'>;

export interface CreateContextInput {
  req: IncomingMessage;
  info?: { connectionParams?: Record<string, string> | null };
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * `transport` says which adapter calls it: subscriptions are served over the WebSocket only,
 * where the per-connection caps apply (trpc.ts refuses them over HTTP).
 */
export function makeCreateContext(services: ServerServices, transport: 'http' | 'ws') {
  const { rt } = services;
  return async ({ req, info }: CreateContextInput) => {
    const token = bearerToken(req.headers.authorization) ?? info?.connectionParams?.token;
    const ip = services.clientAddress(req);
    let claims: TokenClaims | null = null;
    let tokenError: string | null = null;
    if (token)
      claims = await rt.tokens.verify(token).catch((err: Error) => {
        tokenError = err.message;
        return null;
      });
    return {
      req: (transport === 'ws' ? { headers: { origin: req.headers.origin } } : req) as RequestHead,
      transport,
      rt,
      services,
      log: rt.log,
      /** The client's address (TRUST_PROXY decides how far X-Forwarded-For is believed). */
      ip,
      /** What per-address limits count: the address, or an IPv6 address's /64. */
      clientKey: addressKey(ip),
      /** Present when a token was sent (valid or not), so a bad token is UNAUTHORIZED, not anonymous. */
      tokenSent: !!token,
      /** Why the token was refused (expired, invalid), to tell the user. */
      tokenError: tokenError as string | null,
      claims,
      connection: { subscriptions: 0 } satisfies ConnectionState,
    };
  };
}

export type Context = Awaited<ReturnType<ReturnType<typeof makeCreateContext>>>;
