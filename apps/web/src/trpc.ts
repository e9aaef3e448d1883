// The typed tRPC client: HTTP batching for queries and mutations, a lazy WebSocket for subscriptions.
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from '@trpc/client';
import type { AppRouter } from '@tandem/server';
import { token } from './session.ts';

const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/trpc`;

export const wsClient = createWSClient({
  url: wsUrl,
  lazy: { enabled: true, closeMs: 10_000 },
  connectionParams: () => ({ token: token() ?? '' }),
  // 0.5 s, 1 s, 2 s … capped at 15 s, so a restarting server is not hammered.
  retryDelayMs: (attempt) => Math.min(500 * 2 ** attempt, 15_000),
});

export const trpc = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: wsLink<AppRouter>({ client: wsClient }),
      false: httpBatchLink({
        url: '/trpc',
        headers: () => {
          const current = token();
          return current ? { Authorization: `Bearer ${current}` } : {};
        },
      }),
    }),
  ],
});

export type MeOutput = Awaited<ReturnType<typeof trpc.auth.me.query>>;
export type WorkspaceSummary = MeOutput['workspaces'][number];
export type Role = WorkspaceSummary['role'];
export type Member = Awaited<ReturnType<typeof trpc.workspace.members.query>>[number];
export type AuditPage = Awaited<ReturnType<typeof trpc.audit.list.query>>;
export type AuditItem = AuditPage['items'][number];
