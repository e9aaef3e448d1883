// The ingest_keys table: keys agents send samples with. Only a SHA-256 of the whole key is kept
// (ingestion/ingest-keys.ts makes, lists and revokes them with plain SQL).
import { defineEntity, p } from '@mikro-orm/core';
import { Workspace } from './workspace.ts';

export const IngestKeyEntity = defineEntity({
  name: 'IngestKey',
  tableName: 'ingest_keys',
  indexes: [{ properties: ['workspace'] }],
  properties: {
    id: p.uuid().primary(),
    workspace: () => p.manyToOne(Workspace).ref()
      .deleteRule('cascade').updateRule('no action').foreignKeyName('ingest_keys_workspace_id_fkey'),
    label: p.string().length(80),
    /** `tdm_` and the first 8 random characters: what lists show. */
    prefix: p.string().length(16),
    /** Hex SHA-256 of the whole key; each request looks its key up by it. */
    keyHash: p.character().length(64).unique(),
    createdBy: p.uuid(),
    createdAt: p.datetime().defaultRaw('now()'),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});
