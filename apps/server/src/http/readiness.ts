// /readyz: the database answers and a ping job round-trips through the queue.
import { randomUUID } from 'node:crypto';
import type { Runtime } from '@tandem/core';

const TIMEOUT_MS = 3000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms).unref())]);
}

export async function checkReadiness(rt: Runtime) {
  const checks: Record<string, string> = {};
  try {
    await withTimeout(rt.orm.em.fork().execute('select 1'), TIMEOUT_MS, 'database');
    checks.database = 'ok';
  } catch (err) {
    checks.database = (err as Error).message;
  }
  try {
    const nonce = randomUUID();
    const job = await withTimeout(rt.queues.add('ping', { nonce }), TIMEOUT_MS, 'queue');
    const result = await rt.queues.waitForResult<{ pong: string }>(job, TIMEOUT_MS);
    checks.queue = result.pong === nonce ? 'ok' : 'wrong ping reply';
  } catch (err) {
    checks.queue = (err as Error).message;
  }
  const ok = Object.values(checks).every((v) => v === 'ok');
  return { ok, status: ok ? 'ready' : 'unavailable', checks };
}
