// Test support: which runtime modes this machine can run, and a fresh, isolated runtime per mode
// (its own database and Redis prefix, dropped afterwards).
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { parseConfig } from '@tandem/schema';
import { createRuntime, randomPrefix, type Runtime } from '../runtime.ts';
import type { ClientLimits } from '../auth/client-limits.ts';
import { setScryptCost } from '../auth/password.ts';

export type Mode = 'embedded' | 'services';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function answers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), timeout: 500 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/**
 * Embedded always; services too when both PostgreSQL and Redis answer (TEST_DATABASE_URL /
 * TEST_REDIS_URL, or the default local ports), unless TEST_MODES narrows it.
 */
export async function availableModes(): Promise<Mode[]> {
  const wanted = (process.env.TEST_MODES ?? 'embedded,services').split(',');
  const modes: Mode[] = [];
  if (wanted.includes('embedded')) modes.push('embedded');
  if (wanted.includes('services') && (await answers(TEST_DATABASE_URL)) && (await answers(TEST_REDIS_URL))) modes.push('services');
  return modes;
}

/** Creates a fresh database on the test server; returns its URL and a drop function. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = randomPrefix('tandem_test').replace(/-/g, '_');
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface TestRuntime extends Runtime {
  mode: Mode;
  dataDir: string;
}

/**
 * Every test client connects from 127.0.0.1, so the per-address limits are raised here, and so are
 * the per-user socket and call limits that benches and fan-out tests pass on purpose. Per-account
 * sign-in slow-down stays as deployed; the `security:` tests pass the deployed limits explicitly.
 */
export const TEST_CLIENT_LIMITS: Partial<ClientLimits> = {
  signInFailuresPerAddressPerDay: 100_000, registrationsPerAddressPerHour: 100_000, socketsPerAddress: 100_000,
  socketsPerUser: 100_000, callsWaitingPerClient: 100_000, heavyWaitingPerUser: 100_000, wrongIngestKeysPerAddressPerMinute: 100_000,
};

/** Tests hash passwords at scrypt 2^14 for speed; security-passwords tests check the deployed 2^17. */
export const TEST_SCRYPT_LOG2_N = 14;

/**
 * Tests and benches send far more from one key and workspace than a tenant of a shared deployment
 * should: the per-tenant limits are lifted; the `security: fair share` tests pass them explicitly.
 */
export const TEST_TENANT_LIMITS: Record<string, string> = {
  INGEST_KEY_SAMPLES_PER_SECOND: '100000000', INGEST_WORKSPACE_SAMPLES_PER_SECOND: '100000000',
  WORKSPACE_MAX_AGENTS: '1000000', WORKSPACE_MAX_ALERT_RULES: '1000000', WORKSPACE_MAX_INGEST_KEYS: '1000000',
};

export async function createTestRuntime(mode: Mode, env: Record<string, string> = {}, opts: { limits?: Partial<ClientLimits> } = {}): Promise<TestRuntime> {
  setScryptCost(TEST_SCRYPT_LOG2_N);
  const dataDir = await mkdtemp(join(tmpdir(), 'tandem-test-'));
  const db = mode === 'services' ? await createTestDatabase() : null;
  const config = parseConfig({
    DATA_DIR: dataDir,
    DEMO: '0',
    LOG_LEVEL: 'silent',
    ...TEST_TENANT_LIMITS,
    ...(db ? { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL } : {}),
    ...env,
  });
  const rt = await createRuntime(config, { prefix: randomPrefix(), log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    limits: opts.limits ?? TEST_CLIENT_LIMITS,
  });
  const close = rt.close.bind(rt);
  return Object.assign(rt, {
    mode,
    dataDir,
    async close() {
      await close();
      await db?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  });
}
