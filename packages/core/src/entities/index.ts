import type { EntitySchema } from '@mikro-orm/core';
export * from './user.ts';
export * from './workspace.ts';
export * from './audit-log.ts';
export * from './conversation.ts';
import { User } from './user.ts';
import { Workspace, Membership } from './workspace.ts';
import { AuditLog } from './audit-log.ts';
import { Conversation, ConversationEventRow, Message, Run } from './conversation.ts';

export const entities = [User, Workspace, Membership, AuditLog, Conversation, Message, Run, ConversationEventRow];
export * from './sales.ts';
import { salesEntities } from './sales.ts'; entities.push(...salesEntities);

// Agent metrics, queried with plain SQL; these entities state each table's shape (no drift:
// test/entities.server.test.ts). metric_samples has none (partitioned, no primary key): its shape
// is metric-storage/metric-samples.ts. Named …Entity because the plain names are taken by API
// shapes (@tandem/schema) and the SQL row types of the modules that query the tables. Foreign
// keys keep the names and rules of the migration's inline `references` (…_fkey, on update no action).
export * from './agent.ts';
export * from './ingest-key.ts';
export * from './metric-rollup.ts';
export * from './alert.ts';
export * from './dashboard-prefs.ts';
import { AgentEntity } from './agent.ts';
import { IngestKeyEntity } from './ingest-key.ts';
import { MetricRollupEntity, MetricRollupMarkEntity, MetricRollupProgressEntity } from './metric-rollup.ts';
import { AlertEventEntity, AlertRuleEntity, AlertStateEntity, AlertStreamEntity } from './alert.ts';
import { DashboardPrefsEntity } from './dashboard-prefs.ts';
const agentMetricsEntities: EntitySchema<any, never>[] = [
  AgentEntity, IngestKeyEntity, MetricRollupEntity, MetricRollupProgressEntity, MetricRollupMarkEntity,
  AlertRuleEntity, AlertStateEntity, AlertStreamEntity, AlertEventEntity, DashboardPrefsEntity,
];
entities.push(...agentMetricsEntities);
