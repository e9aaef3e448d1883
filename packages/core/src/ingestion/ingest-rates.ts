// Samples per second per ingest key and per workspace (INGEST_KEY_SAMPLES_PER_SECOND,
// INGEST_WORKSPACE_SAMPLES_PER_SECOND), counted on Redis or PostgreSQL so every server shares them.
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../errors.ts';
import { limiterStore, type MakeLimiter } from '../auth/limiter-store.ts';
import type { Runtime } from '../runtime.ts';
import type { IngestKeyOwner } from './ingest-keys.ts';

/**
 * Redis in services mode, the `rate_limits` table with PostgreSQL alone; in embedded mode one
 * process owns the database, so memory counts exactly and costs ingestion no statement. While the
 * shared store fails, each server counts in memory (ingestion does not depend on Redis).
 */
export function ingestLimiterStore(rt: Pick<Runtime, 'redis' | 'orm' | 'config' | 'queues'>): MakeLimiter {
  const memory: MakeLimiter = (name, points, duration) => new RateLimiterMemory({ keyPrefix: name, points, duration });
  if (!rt.redis && !rt.config.DATABASE_URL) return memory;
  const shared = limiterStore({ redis: rt.redis, orm: rt.orm, prefix: rt.queues.target.prefix });
  // rate-limiter-flexible's insuranceLimiter takes over when the store's call fails.
  return (name, points, duration) => Object.assign(shared(name, points, duration), { insuranceLimiter: memory(name, points, duration) });
}

const tooMany = (message: string, res: RateLimiterRes) => {
  const retryAfterMs = Math.max(1000, res.msBeforeNext);
  return new AppError('TOO_MANY_REQUESTS', `${message}; retry in ${Math.ceil(retryAfterMs / 1000)} s`, { retryAfterMs });
};

export class IngestRates {
  private readonly perKey: RateLimiterAbstract;
  private readonly perWorkspace: RateLimiterAbstract;

  constructor(make: MakeLimiter, private readonly limits: { keySamplesPerSecond: number; workspaceSamplesPerSecond: number }) {
    this.perKey = make('ingest-key', limits.keySamplesPerSecond, 1);
    this.perWorkspace = make('ingest-workspace', limits.workspaceSamplesPerSecond, 1);
  }

  /**
   * Counts a request of `samples` against its key's and its workspace's second; TOO_MANY_REQUESTS
   * with the wait when either is spent. A request larger than a whole second's allowance costs
   * that allowance, so it is never refused for good.
   */
  async admit(owner: IngestKeyOwner, samples: number): Promise<void> {
    const keyCost = Math.min(samples, this.limits.keySamplesPerSecond);
    const workspaceCost = Math.min(samples, this.limits.workspaceSamplesPerSecond);
    // Both at once: one round trip of latency per request, not two.
    const [key, workspace] = await Promise.allSettled([
      this.perKey.consume(owner.keyId, keyCost),
      this.perWorkspace.consume(owner.workspaceId, workspaceCost),
    ]);
    if (key.status === 'fulfilled' && workspace.status === 'fulfilled') return;
    // A refused request spends neither allowance.
    await Promise.all([
      key.status === 'fulfilled' ? this.perKey.reward(owner.keyId, keyCost) : null,
      workspace.status === 'fulfilled' ? this.perWorkspace.reward(owner.workspaceId, workspaceCost) : null,
    ]).catch(() => undefined);
    const refusal = key.status === 'rejected' ? key.reason : (workspace as PromiseRejectedResult).reason;
    if (!(refusal instanceof RateLimiterRes)) throw refusal;
    throw key.status === 'rejected'
      ? tooMany(`This ingest key sent more than ${this.limits.keySamplesPerSecond} samples this second (INGEST_KEY_SAMPLES_PER_SECOND)`, refusal)
      : tooMany(`This workspace sent more than ${this.limits.workspaceSamplesPerSecond} samples this second (INGEST_WORKSPACE_SAMPLES_PER_SECOND)`, refusal);
  }
}
