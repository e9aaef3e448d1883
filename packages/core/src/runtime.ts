// Everything a server or worker process needs, built from config. Only the factories differ by mode.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import type { Config } from '@tandem/schema';
import { connectOrm, migrate, type Orm } from './database/orm.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './database/embedded.ts';
import { Queues } from './queue/queues.ts';
import { InProcessBus, RedisBus, whenReady, type Bus } from './bus/bus.ts';
import { TokenSigner, loadJwtSecret } from './auth/tokens.ts';
import { CLIENT_LIMITS, type ClientLimits } from './auth/client-limits.ts';

export interface Runtime {
  config: Config;
  log: Logger;
  orm: Orm;
  queues: Queues;
  bus: Bus;
  tokens: TokenSigner;
  /** Per-client limits; the server builds its limiters from them (apps/server/src/services.ts). */
  limits: ClientLimits;
  redis?: Redis;
  databaseUrl: string;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Redis key / queue prefix; tests give each run its own. */
  prefix?: string;
  log?: Logger;
  /** Per-client limits (tests raise the per-address ones: every test client is 127.0.0.1). */
  limits?: Partial<ClientLimits>;
}

/** How long start-up waits for Redis before going on (commands then fail fast, as when it is down). */
const REDIS_READY_WAIT_MS = 10_000;
/** Sign-in limits fail (and the request with them) rather than hang on a Redis that stalls. */
const REDIS_COMMAND_TIMEOUT_MS = 5000;

export async function createRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const log = opts.log ?? pino({ level: config.LOG_LEVEL });
  const prefix = opts.prefix ?? config.QUEUE_PREFIX;
  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.DATA_DIR);
    databaseUrl = embedded.url;
    log.info({ dataDir: config.DATA_DIR }, 'embedded PostgreSQL (PGlite) started');
  }
  const orm = await connectOrm(databaseUrl, log);
  const applied = await migrate(orm, databaseUrl);
  if (applied.length) log.info({ applied }, 'migrations applied');

  const redis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: REDIS_COMMAND_TIMEOUT_MS })
    : undefined;
  redis?.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
  const queues = new Queues({ redisUrl: config.REDIS_URL, databaseUrl, prefix, pollSeconds: embedded ? 0.05 : undefined, lockMs: config.JOB_LOCK_MS }, log);
  const bus: Bus = config.REDIS_URL ? new RedisBus(config.REDIS_URL, `${prefix}:bus:`, log) : new InProcessBus();
  const tokens = new TokenSigner(await loadJwtSecret(config.JWT_SECRET, config.DATA_DIR));
  // These clients run without an offline queue, so every command fails until they are connected:
  // wait (bounded) so the first requests after start-up do not fail with 500s.
  if (redis) await whenReady(redis, REDIS_READY_WAIT_MS);
  if (bus instanceof RedisBus) await bus.ready(REDIS_READY_WAIT_MS);

  return {
    config, log, orm, queues, bus, tokens, redis, databaseUrl,
    limits: {
      ...CLIENT_LIMITS,
      socketsPerUser: config.WS_MAX_SOCKETS_PER_USER,
      socketsPerAddress: config.WS_MAX_SOCKETS_PER_ADDRESS,
      ...opts.limits,
    },
    async close() {
      await queues.close(config.SHUTDOWN_TIMEOUT_MS);
      await bus.close();
      redis?.disconnect();
      await orm.close(true);
      await embedded?.stop();
    },
  };
}

export const randomPrefix = (label = 'test') => `${label}-${randomBytes(4).toString('hex')}`;
