// Ingest keys: made by admins, shown once, stored as a SHA-256 of the whole key, revocable. Every
// ingestion request resolves its key through IngestKeyCache, which the bus and a short TTL keep honest.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ingestKeySchema } from '@tandem/schema';
import { AppError } from '../errors.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { Bus } from '../bus/bus.ts';
import { assertRoomInWorkspace } from '../workspaces/workspace-limits.ts';

export type IngestKeyDto = z.infer<typeof ingestKeySchema>;

const KEY_PREFIX = 'tdm_';
/** What list shows of a key: its type prefix and the first 8 random characters. */
const DISPLAY_LENGTH = KEY_PREFIX.length + 8;
/** `tdm_` + 32 random bytes in base64url (43 characters). */
const KEY_SHAPE = /^tdm_[A-Za-z0-9_-]{43}$/;

/** Bus channel where revocations are announced as `{ keyId }` (the cache of every instance listens). */
export const INGEST_KEYS_CHANNEL = 'ingest-keys';

export const hashIngestKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export async function createIngestKey(
  em: EntityManager,
  input: { workspaceId: string; label: string; actorId: string; /** WORKSPACE_MAX_INGEST_KEYS */ maxKeys?: number },
): Promise<{ id: string; key: string }> {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  const prefix = key.slice(0, DISPLAY_LENGTH);
  await em.transactional(async (tx) => {
    if (input.maxKeys !== undefined) await assertRoomInWorkspace(tx, input.workspaceId, 'ingest keys', input.maxKeys);
    await tx.execute(
      `insert into ingest_keys (id, workspace_id, label, prefix, key_hash, created_by) values (?, ?, ?, ?, ?, ?)`,
      [id, input.workspaceId, input.label, prefix, hashIngestKey(key), input.actorId],
    );
    recordAudit(tx, { workspaceId: input.workspaceId, actorId: input.actorId, action: 'ingestKey.create', targetId: id, data: { label: input.label, prefix } });
  });
  return { id, key };
}

interface KeyRow {
  id: string;
  label: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toDto = (r: KeyRow): IngestKeyDto => ({
  id: r.id,
  label: r.label,
  prefix: r.prefix,
  createdAt: new Date(r.created_at).toISOString(),
  lastUsedAt: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
  revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
});

const KEY_COLUMNS = 'id, label, prefix, created_at, last_used_at, revoked_at';

export async function listIngestKeys(em: EntityManager, workspaceId: string): Promise<IngestKeyDto[]> {
  const rows = await em.execute<KeyRow[]>(
    `select ${KEY_COLUMNS} from ingest_keys where workspace_id = ? order by created_at desc, id`, [workspaceId]);
  return rows.map(toDto);
}

/**
 * Revokes a key of the workspace (a key of another workspace is NOT_FOUND). Idempotent: revoking
 * again changes nothing and records no second audit entry. The caller announces the revocation
 * on INGEST_KEYS_CHANNEL after this returns, so no cache serves the key after the commit.
 */
export async function revokeIngestKey(
  em: EntityManager,
  input: { workspaceId: string; keyId: string; actorId: string },
): Promise<IngestKeyDto> {
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<KeyRow[]>(
      `select ${KEY_COLUMNS} from ingest_keys where id = ? and workspace_id = ? for update`, [input.keyId, input.workspaceId]);
    if (!row) throw new AppError('NOT_FOUND', 'No such ingest key');
    if (row.revoked_at) return toDto(row);
    const [revoked] = await tx.execute<KeyRow[]>(
      `update ingest_keys set revoked_at = now() where id = ? returning ${KEY_COLUMNS}`, [input.keyId]);
    recordAudit(tx, { workspaceId: input.workspaceId, actorId: input.actorId, action: 'ingestKey.revoke', targetId: input.keyId, data: { label: row.label, prefix: row.prefix } });
    return toDto(revoked!);
  });
}

export interface IngestKeyOwner {
  keyId: string;
  workspaceId: string;
}

interface CacheEntry {
  owner: IngestKeyOwner | null;
  expiresAt: number;
}

export interface IngestKeyCacheOptions {
  /** Upper bound on how long a revocation can go unnoticed if its bus message is lost. */
  ttlMs?: number;
  maxEntries?: number;
  /** last_used_at is written at most this often per key (per instance, and the SQL checks too). */
  touchEveryMs?: number;
}

/**
 * Resolves `Authorization: Bearer <key>` to its workspace without a query per request. Entries
 * (also "no such key") live `ttlMs`; a revocation on the bus drops the key at once. The bus is
 * at-most-once, so the TTL bounds what a lost message costs.
 */
export class IngestKeyCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly lookups = new Map<string, Promise<IngestKeyOwner | null>>();
  private readonly touchedAt = new Map<string, number>();
  /** Bumped by every invalidation: a lookup that started before one must not store its answer. */
  private generation = 0;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly touchEveryMs: number;
  private subscribed: Promise<() => void> | null = null;

  constructor(
    private readonly deps: { em: EntityManager; bus: Bus; log: Logger },
    opts: IngestKeyCacheOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 10_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.touchEveryMs = opts.touchEveryMs ?? 60_000;
  }

  /** Listens for revocations; resolve() waits for it, so no key is cached before the listener is live. */
  start(): Promise<() => void> {
    this.subscribed ??= this.deps.bus.subscribe(INGEST_KEYS_CHANNEL, (msg) => {
      const keyId = (msg as { keyId?: unknown } | null)?.keyId;
      if (typeof keyId === 'string') this.invalidate(keyId);
    });
    return this.subscribed;
  }

  invalidate(keyId: string): void {
    this.generation++;
    for (const [hash, entry] of this.entries) if (entry.owner?.keyId === keyId) this.entries.delete(hash);
  }

  /** The key's workspace, or null for a wrong, malformed or revoked key. */
  async resolve(key: string): Promise<IngestKeyOwner | null> {
    if (!KEY_SHAPE.test(key)) return null;
    await this.start();
    const hash = hashIngestKey(key);
    const now = Date.now();
    const cached = this.entries.get(hash);
    let owner: IngestKeyOwner | null;
    if (cached && cached.expiresAt > now) owner = cached.owner;
    else {
      let pending = this.lookups.get(hash);
      if (!pending) {
        pending = this.load(hash).finally(() => this.lookups.delete(hash));
        this.lookups.set(hash, pending);
      }
      owner = await pending;
    }
    if (owner) this.touch(owner.keyId, now);
    return owner;
  }

  private async load(hash: string): Promise<IngestKeyOwner | null> {
    const generation = this.generation;
    const [row] = await this.deps.em.fork().execute<{ id: string; workspace_id: string }[]>(
      `select id, workspace_id from ingest_keys where key_hash = ? and revoked_at is null`, [hash]);
    const owner = row ? { keyId: row.id, workspaceId: row.workspace_id } : null;
    if (generation === this.generation) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(hash, { owner, expiresAt: Date.now() + this.ttlMs });
    }
    return owner;
  }

  /** Records last use without a write per request; failures only cost the figure. */
  private touch(keyId: string, now: number): void {
    const last = this.touchedAt.get(keyId);
    if (last !== undefined && now - last < this.touchEveryMs) return;
    if (this.touchedAt.size >= this.maxEntries) this.touchedAt.delete(this.touchedAt.keys().next().value!);
    this.touchedAt.set(keyId, now);
    this.deps.em.fork()
      .execute(`update ingest_keys set last_used_at = now()
                 where id = ? and (last_used_at is null or last_used_at < now() - make_interval(secs => ?))`,
        [keyId, this.touchEveryMs / 1000])
      .catch((err: unknown) => this.deps.log.warn({ err, keyId }, 'could not record ingest key use'));
  }
}
