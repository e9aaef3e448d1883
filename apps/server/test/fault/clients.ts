// tRPC clients for a server process given by URL (the harness's clients, minus the in-process app),
// and a conversation viewer that resubscribes from its last event id whenever its stream ends.
import { randomUUID } from 'node:crypto';
import { createTRPCClient, createWSClient, httpLink, wsLink, type TRPCClient } from '@trpc/client';
import { WebSocket } from 'ws';
import type { ConversationEvent } from '@tandem/schema';
import type { AppRouter } from '../../src/routers/_app.ts';

export function httpClient(url: string, token?: string): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${url}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
  });
}

/** Registers a fresh user; returns its token and own workspace. */
export async function signUp(url: string, name = 'Fault'): Promise<{ token: string; userId: string; workspaceId: string }> {
  const email = `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`;
  const { token, user } = await httpClient(url).auth.register.mutate({ email, password: 'correct horse', name });
  const me = await httpClient(url, token).auth.me.query();
  return { token, userId: user.id, workspaceId: me.workspaces[0]!.id };
}

export interface Viewer {
  /** Tracked events in the order received, with their sequence numbers. */
  events: { seq: number; event: ConversationEvent }[];
  /** How many times the stream ended (an error, a server gone) and was subscribed again. */
  resumes: number;
  close(): Promise<void>;
}

/**
 * Follows a conversation like the web client: subscribe from `lastSeq`; the WebSocket reconnects
 * by itself (to whichever server `pickUrl` names then, as a load balancer would) and tRPC resends
 * the subscription with the last id; a stream that ends with an error is subscribed again from
 * the last id received.
 */
export function followConversation(pickUrl: () => string, token: string, conversationId: string, lastSeq: number): Viewer {
  const viewer: Viewer = { events: [], resumes: 0, close: async () => undefined };
  let closed = false;
  let last = lastSeq;
  const ws = createWSClient({
    url: () => `${pickUrl().replace('http', 'ws')}/trpc`,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: () => ({ token }),
    retryDelayMs: () => 200,
  });
  const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
  let sub: { unsubscribe(): void } | null = null;
  const subscribe = () => {
    if (closed) return;
    let ended = false;
    // onError and onComplete may both fire for one stream: resubscribe once.
    const again = () => {
      if (ended) return;
      ended = true;
      viewer.resumes++;
      setTimeout(subscribe, 200);
    };
    sub = client.conversation.events.subscribe({ conversationId, lastEventId: String(last) }, {
      onData: (d) => {
        if (ended || !('id' in d)) return; // presence and typing are not tracked
        last = Number(d.id);
        viewer.events.push({ seq: last, event: d.data as ConversationEvent });
      },
      onError: again,
      onComplete: again,
    });
  };
  viewer.close = async () => {
    closed = true;
    sub?.unsubscribe();
    await ws.close();
  };
  subscribe();
  return viewer;
}
