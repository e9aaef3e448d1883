// Insert-only record of every administrative action; a trigger refuses UPDATE and DELETE.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const AuditLog = defineEntity({
  name: 'AuditLog',
  tableName: 'audit_log',
  indexes: [{ properties: ['workspaceId', 'id'] }],
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    workspaceId: p.uuid(),
    actorId: p.uuid().nullable(),
    action: p.string().length(64),
    targetId: p.string().length(64).nullable(),
    data: p.json<Record<string, unknown>>().default('{}'),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IAuditLog = InferEntity<typeof AuditLog>;
