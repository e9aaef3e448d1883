import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { User } from './user.ts';

export const Workspace = defineEntity({
  name: 'Workspace',
  tableName: 'workspaces',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    name: p.string().length(80),
    /** Days without activity before a conversation is archived; null: CONVERSATION_RETENTION_DAYS. */
    conversationRetentionDays: p.integer().nullable(),
    /** US dollars of assistant spend per calendar month; past it new questions are refused. */
    monthlyBudgetUsd: p.double().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IWorkspace = InferEntity<typeof Workspace>;

export const Membership = defineEntity({
  name: 'Membership',
  tableName: 'memberships',
  uniques: [{ properties: ['workspace', 'user'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workspace: () => p.manyToOne(Workspace).ref().deleteRule('cascade'),
    user: () => p.manyToOne(User).ref().deleteRule('cascade').index(),
    role: p.enum(['admin', 'member', 'viewer'] as const),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IMembership = InferEntity<typeof Membership>;
