// The ingest key cache against the real database and bus of each mode: revocations seen at once,
// or within the TTL when their message was lost; last use written at most once per interval.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { availableModes, createTestRuntime, type TestRuntime } from '../src/testing/modes.ts';
import { registerUser } from '../src/auth/accounts.ts';
import { listWorkspacesOf } from '../src/workspaces/workspaces.ts';
import { INGEST_KEYS_CHANNEL, IngestKeyCache, createIngestKey, revokeIngestKey } from '../src/ingestion/ingest-keys.ts';

const modes = await availableModes();
const log = pino({ level: 'silent' });

describe.each(modes)('ingest key cache (%s)', (mode) => {
  let rt: TestRuntime;
  let workspaceId: string;
  let actorId: string;
  beforeAll(async () => {
    rt = await createTestRuntime(mode);
    const user = await registerUser(rt.orm.em.fork(), { email: `k-${Date.now()}@example.com`, password: 'correct horse', name: 'K' });
    actorId = user.id;
    workspaceId = (await listWorkspacesOf(rt.orm.em.fork(), user.id))[0]!.id;
  });
  afterAll(() => rt?.close());

  const newKey = (label: string) => createIngestKey(rt.orm.em.fork(), { workspaceId, label, actorId });

  it('answers from the cache; a revocation on the bus takes effect at once', async () => {
    const cache = new IngestKeyCache({ em: rt.orm.em, bus: rt.bus, log }, { ttlMs: 60_000 });
    const { id, key } = await newKey('bus');
    expect(await cache.resolve(key)).toEqual({ keyId: id, workspaceId });
    await revokeIngestKey(rt.orm.em.fork(), { workspaceId, keyId: id, actorId });
    expect(await cache.resolve(key)).toEqual({ keyId: id, workspaceId }); // cached, nothing announced yet
    await rt.bus.publish(INGEST_KEYS_CHANNEL, { keyId: id });
    await vi.waitFor(async () => expect(await cache.resolve(key)).toBeNull(), { timeout: 2000, interval: 10 });
  });

  // Lost here means revoked in SQL, with no message on the bus.
  it('a revocation whose message was lost still ends within the TTL', async () => {
    const cache = new IngestKeyCache({ em: rt.orm.em, bus: rt.bus, log }, { ttlMs: 300 });
    const { id, key } = await newKey('lost message');
    expect(await cache.resolve(key)).not.toBeNull();
    await rt.orm.em.fork().execute('update ingest_keys set revoked_at = now() where id = ?', [id]);
    await vi.waitFor(async () => expect(await cache.resolve(key)).toBeNull(), { timeout: 5000, interval: 50 });
  });

  it('malformed and unknown keys are null; concurrent lookups of one key agree', async () => {
    const cache = new IngestKeyCache({ em: rt.orm.em, bus: rt.bus, log });
    expect(await cache.resolve('nope')).toBeNull();
    expect(await cache.resolve(`tdm_${'x'.repeat(43)}`)).toBeNull();
    const { id, key } = await newKey('shared');
    const owners = await Promise.all(Array.from({ length: 20 }, () => cache.resolve(key)));
    expect(new Set(owners.map((o) => o?.keyId))).toEqual(new Set([id]));
  });

  it('records last use at most once per interval', async () => {
    const cache = new IngestKeyCache({ em: rt.orm.em, bus: rt.bus, log }, { touchEveryMs: 60_000 });
    const { id, key } = await newKey('touch');
    const lastUsed = async () => (await rt.orm.em.fork().execute<{ t: Date | null }[]>('select last_used_at as t from ingest_keys where id = ?', [id]))[0]!.t;
    await cache.resolve(key);
    await vi.waitFor(async () => expect(await lastUsed()).not.toBeNull());
    const first = await lastUsed();
    await cache.resolve(key);
    await cache.resolve(key);
    expect(await lastUsed()).toEqual(first);
  });
});
