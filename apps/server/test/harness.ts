// Integration-test harness: a real server (HTTP + WebSocket) on a random port over a real runtime,
// and tRPC clients that talk to it the way the web app does.
import { TRPCClientError, createTRPCClient, createWSClient, httpLink, wsLink, type TRPCClient } from '@trpc/client';
import { pino } from 'pino';
import { createRuntime, type ClientLimits } from '@tandem/core';
import { TEST_REDIS_URL, createTestRuntime, type Mode, type TestRuntime } from '@tandem/core/testing';
import { parseConfig, type Role } from '@tandem/schema';
import { startWorkers } from '@tandem/worker';
import { WebSocket } from 'ws';
import type { AppRouter } from '../src/routers/_app.ts';
import { createHttpServer } from '../src/http/server.ts';
import { createServerServices } from '../src/services.ts';

export interface TestApp {
  rt: TestRuntime;
  url: string;
  /** HTTP client, optionally signed in. */
  client(token?: string): TRPCClient<AppRouter>;
  /** WebSocket client (subscriptions); close it with `.close()`. */
  wsClient(token?: string, origin?: string): { client: TRPCClient<AppRouter>; close(): Promise<void> };
  /** Registers a user and returns its token and id. */
  signUp(name?: string): Promise<{ token: string; userId: string; email: string; workspaceId: string }>;
  close(): Promise<void>;
}

let counter = 0;

export async function startTestApp(
  mode: Mode, env: Record<string, string> = {}, opts: { workers?: boolean; limits?: Partial<ClientLimits> } = {},
): Promise<TestApp> {
  const rt = await createTestRuntime(mode, env, { limits: opts.limits });
  if (opts.workers !== false) startWorkers(rt);
  const app = createHttpServer(createServerServices(rt));
  const url = await app.listen(0, '127.0.0.1');
  const sockets = new Set<{ close(): Promise<void> }>();

  const client = (token?: string) =>
    createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${url}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
    });

  const wsClient = (token?: string) => {
    const ws = createWSClient({
      url: `${url.replace('http', 'ws')}/trpc`,
      // Node 20 has no global WebSocket; the `ws` package is what the server runs too.
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      connectionParams: () => (token ? { token } : {}),
      retryDelayMs: () => 100,
    });
    const handle = {
      client: createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] }),
      close: async () => {
        sockets.delete(handle);
        await ws.close();
      },
    };
    sockets.add(handle);
    return handle;
  };

  return {
    rt,
    url,
    client,
    wsClient,
    async signUp(name = 'User') {
      const email = `${name.toLowerCase().replace(/\W/g, '')}-${++counter}-${Date.now()}@example.com`;
      const { token, user } = await client().auth.register.mutate({ email, password: 'correct horse', name });
      const me = await client(token).auth.me.query();
      return { token, userId: user.id, email, workspaceId: me.workspaces[0]!.id };
    },
    async close() {
      await Promise.all([...sockets].map((s) => s.close()));
      await app.close();
      await rt.close();
    },
  };
}

/**
 * A second server instance on `a`'s database, Redis and queue prefix (services mode), as a second
 * process would be: what one instance publishes, the other's subscribers must see.
 */
export async function startSecondServer(a: TestApp): Promise<{ url: string; close(): Promise<void> }> {
  const rt = await createRuntime(
    parseConfig({ DATABASE_URL: a.rt.databaseUrl, REDIS_URL: TEST_REDIS_URL, DATA_DIR: a.rt.dataDir, DEMO: '0' }),
    { prefix: a.rt.queues.target.prefix, log: pino({ level: 'silent' }) },
  );
  const server = createHttpServer(createServerServices(rt));
  const url = await server.listen(0, '127.0.0.1');
  return {
    url,
    async close() {
      await server.close();
      await rt.close();
    },
  };
}

export interface ErrorData {
  code: string;
  httpStatus: number;
  fieldErrors?: Record<string, string[]>;
  retryAfterMs?: number;
}

/** The error data of a rejected tRPC call (throws if it did not reject with a tRPC error). */
export async function errorOf(p: Promise<unknown>): Promise<ErrorData & { message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TRPCClientError) return { ...(err.data as ErrorData), message: err.message };
    throw err;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Resolves to the tRPC error code of a call, or 'OK'. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(() => 'OK', (err: unknown) => {
    if (err instanceof TRPCClientError) return (err.data as ErrorData).code;
    throw err;
  });
}

// ---- Helpers for the workspace, access-matrix, JWT and WebSocket tests ----

/** The token of an invitation link (`…/invite/<token>`). */
export const invitationTokenOf = (url: string): string => url.slice(url.lastIndexOf('/') + 1);

/** Makes `member` a member the only way there is: the admin's invitation link, accepted by them. */
export async function inviteMember(
  app: TestApp, adminToken: string, workspaceId: string, member: { token: string; email?: string }, role: Role,
) {
  const { url } = await app.client(adminToken).workspace.invite.mutate({ workspaceId, email: member.email ?? 'invitee@example.com', role });
  return app.client(member.token).workspace.acceptInvite.mutate({ token: invitationTokenOf(url) });
}

/** Rows of a raw SQL query against the app's database (fresh entity manager each time). */
export async function sqlRows<T = Record<string, unknown>>(app: TestApp, query: string, params: unknown[] = []): Promise<T[]> {
  return app.rt.orm.em.fork().getConnection().execute<T[]>(query, params);
}

/** What a workspace holds that tests check for "zero rows touched": its memberships and audit count. */
export async function workspaceSnapshot(app: TestApp, workspaceId: string) {
  const members = await sqlRows<{ user_id: string; role: string }>(
    app, 'select user_id, role from memberships where workspace_id = ? order by user_id', [workspaceId]);
  const [audit] = await sqlRows<{ n: string | number }>(app, 'select count(*) as n from audit_log where workspace_id = ?', [workspaceId]);
  const [ws] = await sqlRows<{ name: string }>(app, 'select name from workspaces where id = ?', [workspaceId]);
  return { name: ws?.name ?? null, members: members.map((m) => `${m.user_id}:${m.role}`), auditRows: Number(audit?.n ?? 0) };
}

export interface SubscriptionProbe<T = unknown> {
  data: T[];
  started: boolean;
  completed: boolean;
  error: (ErrorData & { message: string }) | null;
  unsubscribe(): void;
}

type ObserverLike = {
  onStarted: () => void;
   
  onData: (d: any) => void;
  onError: (e: unknown) => void;
  onComplete: () => void;
};

/** Starts a subscription and records what it does, for assertions with vi.waitFor. */
export function watchSubscription<T = unknown>(start: (observer: ObserverLike) => { unsubscribe(): void }): SubscriptionProbe<T> {
  const probe: SubscriptionProbe<T> = { data: [], started: false, completed: false, error: null, unsubscribe: () => undefined };
  const sub = start({
    onStarted: () => {
      probe.started = true;
    },
    onData: (d: T) => {
      probe.data.push(d);
    },
    onError: (e: unknown) => {
      probe.error = e instanceof TRPCClientError
        ? { ...(e.data as ErrorData), message: e.message }
        : { code: 'NOT_A_TRPC_ERROR', httpStatus: 0, message: String(e) };
    },
    onComplete: () => {
      probe.completed = true;
    },
  });
  probe.unsubscribe = () => sub.unsubscribe();
  return probe;
}
