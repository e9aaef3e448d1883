// Integration-test harness: a real server (HTTP + WebSocket) on a random port over a real runtime,
// and tRPC clients that talk to it the way the web app does.
import { TRPCClientError, createTRPCClient, createWSClient, httpLink, wsLink, type TRPCClient } from '@trpc/client';
import { createTestRuntime, type Mode, type TestRuntime } from '@tandem/core/testing';
import { startWorkers } from '@tandem/worker';
import type { AppRouter } from '../src/routers/_app.ts';
import { createHttpServer } from '../src/http/server.ts';

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

export async function startTestApp(mode: Mode, env: Record<string, string> = {}): Promise<TestApp> {
  const rt = await createTestRuntime(mode, env);
  startWorkers(rt);
  const app = createHttpServer(rt);
  const url = await app.listen(0, '127.0.0.1');
  const sockets = new Set<{ close(): Promise<void> }>();

  const client = (token?: string) =>
    createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${url}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
    });

  const wsClient = (token?: string) => {
    const ws = createWSClient({
      url: `${url.replace('http', 'ws')}/trpc`,
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
