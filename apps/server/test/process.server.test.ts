// The real entry point as a child process: start-up output, bad configuration, data surviving
// a restart, the demo login printed once, and SIGTERM exiting cleanly by itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  stop(): Promise<number | null>;
}

function startServer(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/standalone/src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${out}`)), 60_000);
    child.stdout.on('data', () => {
      const m = /Tandem listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({ child, url: m[1]!, output: () => out, stop: () => (child.kill('SIGTERM'), exited) });
    });
    void exited.then((code) => reject(new Error(`exited with ${code} before listening:\n${out}`)));
  });
}

function runToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/standalone/src/main.ts'], {
    cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  return new Promise((r) => child.once('exit', (code) => r({ code, output })));
}

async function rpc(url: string, path: string, input: unknown, token?: string) {
  const res = await fetch(`${url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: (await res.json()) as { result?: { data: any }; error?: { message: string } } };
}

describe('the server process (embedded mode)', () => {
  const dirs: string[] = [];
  const tmp = async () => {
    const d = await mkdtemp(join(tmpdir(), 'tandem-proc-'));
    dirs.push(d);
    return d;
  };
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('stops on bad configuration with one line naming the variable, exit code 2', async () => {
    const { code, output } = await runToExit({ PORT: 'eighty', DATA_DIR: await tmp() });
    expect(code).toBe(2);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toMatch(/^Invalid configuration: PORT .*"eighty"/);
    const redisOnly = await runToExit({ REDIS_URL: 'redis://127.0.0.1:6379', DATA_DIR: await tmp() });
    expect(redisOnly.code).toBe(2);
    expect(redisOnly.output).toContain('DATABASE_URL is required');
  });

  it('keeps data across a restart, prints the demo login once, and exits 0 on SIGTERM', async () => {
    const dataDir = await tmp();
    const first = await startServer({ DATA_DIR: dataDir, DEMO: '1' });
    const demo = /email:\s+(\S+)\s+password:\s+(\S+)/.exec(first.output());
    expect(demo).not.toBeNull();
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${first.url}/readyz`);
    expect(await ready.json()).toMatchObject({ checks: { database: 'ok', queue: 'ok' } });
    const reg = await rpc(first.url, 'auth.register', { email: 'keep@example.com', password: 'correct horse', name: 'Keep' });
    expect(reg.status).toBe(200);
    expect(await first.stop()).toBe(0);

    const second = await startServer({ DATA_DIR: dataDir, DEMO: '1' });
    expect(second.output()).not.toContain('password:');
    const login = await rpc(second.url, 'auth.login', { email: 'keep@example.com', password: 'correct horse' });
    expect(login.body.result?.data.user.email).toBe('keep@example.com');
    // The JWT secret was generated once into DATA_DIR, so the token from before the restart still works.
    const meGet = await fetch(`${second.url}/trpc/auth.me`, { headers: { authorization: `Bearer ${reg.body.result?.data.token}` } });
    expect(((await meGet.json()) as { result: { data: { user: { email: string } } } }).result.data.user.email).toBe('keep@example.com');
    const demoLogin = await rpc(second.url, 'auth.login', { email: demo![1], password: demo![2] });
    expect(demoLogin.body.result?.data.user.email).toBe(demo![1]);

    // The demo workspace has its sales data set: the offline assistant answers from it.
    const demoToken = demoLogin.body.result?.data.token as string;
    const meRes = await fetch(`${second.url}/trpc/auth.me`, { headers: { authorization: `Bearer ${demoToken}` } });
    const workspaceId = ((await meRes.json()) as { result: { data: { workspaces: { id: string }[] } } }).result.data.workspaces[0]!.id;
    const conv = await rpc(second.url, 'conversation.create', { workspaceId, title: 'Demo' }, demoToken);
    const conversationId = conv.body.result?.data.id as string;
    await rpc(second.url, 'conversation.send', { conversationId, content: 'Which items are low on stock?', clientMessageId: 'demo-question-1' }, demoToken);
    await vi.waitFor(async () => {
      const res = await fetch(`${second.url}/trpc/conversation.get?input=${encodeURIComponent(JSON.stringify({ conversationId }))}`, { headers: { authorization: `Bearer ${demoToken}` } });
      const messages = ((await res.json()) as { result: { data: { messages: { role: string; status: string; content: string }[] } } }).result.data.messages;
      expect(messages[1]).toMatchObject({ role: 'assistant', status: 'complete' });
      expect(messages[1]!.content).toMatch(/reorder/i);
    }, { timeout: 30_000, interval: 250 });
    expect(await second.stop()).toBe(0);
  }, 180_000); // two cold starts of a process with embedded PostgreSQL and the demo seed, on a busy machine
});
