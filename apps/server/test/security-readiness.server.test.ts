// Issue 11 item 9: /readyz needs no token, so it says only which dependency failed, and a flood of
// requests pings the queue once. Mode-independent: the first mode only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableModes } from '@tandem/core/testing';
import { startTestApp, type TestApp } from './harness.ts';

const [mode] = await availableModes();

describe('security: /readyz says little to strangers', () => {
  let app: TestApp;
  beforeAll(async () => {
    // No workers: the queue ping goes unanswered, so the queue check fails (after 3 s).
    app = await startTestApp(mode!, {}, { workers: false });
  });
  afterAll(() => app?.close());

  const pings = async () => {
    const counts = await app.rt.queues.queue('system').getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  };

  // It used to return the raw error of a failed check (database errors name hosts, users, SQL) and
  // to enqueue a ping job per request.
  it('security: /readyz — a failed check names the dependency, not the error, and a flood of requests pings the queue once', async () => {
    const before = await pings();
    const answers = await Promise.all(Array.from({ length: 100 }, () => fetch(`${app.url}/readyz`)));
    const bodies = await Promise.all(answers.map((r) => r.text()));
    expect(new Set(answers.map((r) => r.status))).toEqual(new Set([503]));
    for (const body of new Set(bodies))
      expect(JSON.parse(body)).toEqual({ ok: false, status: 'unavailable', checks: { database: 'ok', queue: 'failed' } });
    // Another wave right after is answered from the same ping.
    const again = await fetch(`${app.url}/readyz`);
    expect(await again.json()).toMatchObject({ checks: { queue: 'failed' } });
    expect((await pings()) - before).toBe(1);
  });
});
