// The environment shared by the server and worker processes of one fault-injection test.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function faultEnv(services: { databaseUrl: string; redisUrl?: string }, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    DATABASE_URL: services.databaseUrl,
    ...(services.redisUrl ? { REDIS_URL: services.redisUrl } : {}),
    // One secret for every process, so a token from one server is good on the others.
    JWT_SECRET: randomBytes(24).toString('hex'),
    DATA_DIR: await mkdtemp(join(tmpdir(), 'tandem-fault-')),
    QUEUE_PREFIX: `fault-${randomBytes(3).toString('hex')}`,
    ...extra,
  };
}
