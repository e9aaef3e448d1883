// The access_tokens table: personal access tokens (MCP, scripts), each one user's in one
// workspace. Only a SHA-256 of the whole token is kept (access-tokens/access-tokens.ts).
import { defineEntity, p } from '@mikro-orm/core';
import { User } from './user.ts';
import { Workspace } from './workspace.ts';

export const AccessTokenEntity = defineEntity({
  name: 'AccessToken',
  tableName: 'access_tokens',
  indexes: [{ properties: ['workspace', 'user'], name: 'access_tokens_workspace_id_user_id_index' }],
  properties: {
    id: p.uuid().primary(),
    workspace: () => p.manyToOne(Workspace).ref()
      .deleteRule('cascade').updateRule('no action').foreignKeyName('access_tokens_workspace_id_fkey'),
    user: () => p.manyToOne(User).ref()
      .deleteRule('cascade').updateRule('no action').foreignKeyName('access_tokens_user_id_fkey'),
    label: p.string().length(80),
    /** `tdp_` and the first 8 random characters: what lists show. */
    prefix: p.string().length(16),
    /** Hex SHA-256 of the whole token; each request looks its token up by it. */
    tokenHash: p.character().length(64).unique(),
    createdAt: p.datetime().defaultRaw('now()'),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});
