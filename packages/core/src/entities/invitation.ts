// The invitations table: single-use links into a workspace. Only a SHA-256 of the link's token is
// kept (workspaces/invitations.ts makes, lists, accepts and revokes them with plain SQL).
import { defineEntity, p } from '@mikro-orm/core';
import { User } from './user.ts';
import { Workspace } from './workspace.ts';

export const InvitationEntity = defineEntity({
  name: 'Invitation',
  tableName: 'invitations',
  indexes: [{ properties: ['workspace', 'createdAt'], name: 'invitations_workspace_id_created_at_index' }],
  properties: {
    id: p.uuid().primary(),
    workspace: () => p.manyToOne(Workspace).ref()
      .deleteRule('cascade').updateRule('no action').foreignKeyName('invitations_workspace_id_fkey'),
    /** The admin's label for whom the link is meant; never used to find an account. */
    email: p.string().length(254),
    role: p.enum(['admin', 'member', 'viewer'] as const),
    /** Hex SHA-256 of the link's token. */
    tokenHash: p.character().length(64).unique(),
    createdBy: () => p.manyToOne(User).ref().nullable()
      .deleteRule('set null').updateRule('no action').foreignKeyName('invitations_created_by_id_fkey'),
    createdAt: p.datetime().defaultRaw('now()'),
    expiresAt: p.datetime(),
    acceptedAt: p.datetime().nullable(),
    acceptedBy: () => p.manyToOne(User).ref().nullable()
      .deleteRule('set null').updateRule('no action').foreignKeyName('invitations_accepted_by_id_fkey'),
    revokedAt: p.datetime().nullable(),
  },
});
