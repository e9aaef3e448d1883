// Where rate-limiter-flexible keeps its counters: Redis in services mode, the `rate_limits` table
// in embedded mode, so that every server instance on the same stores counts the same attempts.
import { RateLimiterPostgres, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { Orm } from '../database/orm.ts';

/** A limiter allowing `points` per `durationSeconds` window, its keys under `name`. */
export type MakeLimiter = (name: string, points: number, durationSeconds: number) => RateLimiterAbstract;

interface PgConnection {
  query(q: { text: string; values?: unknown[] }): Promise<unknown>;
}
interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(c: PgConnection): Promise<unknown>;
}

/**
 * A pg-like client for RateLimiterPostgres on the ORM's pool. It drops statement names: embedded
 * PGlite is one session behind every socket, where a named statement prepared by one pooled
 * connection already exists for the next ("prepared statement already exists").
 */
function unnamedStatements(orm: Orm): PgConnection {
  const client = (orm.em.getConnection().getKnex() as unknown as { client: KnexClient }).client;
  return {
    async query(q) {
      const conn = await client.acquireConnection();
      try {
        return await conn.query({ text: q.text, values: q.values });
      } finally {
        await client.releaseConnection(conn);
      }
    },
  };
}

export function limiterStore(deps: { redis?: Redis; orm: Orm; prefix: string }): MakeLimiter {
  const { redis, prefix } = deps;
  if (redis)
    return (name, points, duration) => new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:${name}`, points, duration });
  const storeClient = unnamedStatements(deps.orm);
  // The table is made by a migration (Migration20261125000000RateLimits), not by the library.
  return (name, points, duration) =>
    new RateLimiterPostgres({ storeClient, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, keyPrefix: `${prefix}:${name}`, points, duration });
}
