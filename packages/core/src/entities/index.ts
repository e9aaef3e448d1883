// Every table's shape, in one list the ORM is configured with (database/orm.ts).
import type { EntitySchema } from '@mikro-orm/core';
import { User } from './user.ts';
import { Workspace, Membership } from './workspace.ts';
import { AuditLog } from './audit-log.ts';
import { Conversation, ConversationEventRow, Message, Run } from './conversation.ts';
import { salesEntities } from './sales.ts';
import { AgentEntity } from './agent.ts';
import { IngestKeyEntity } from './ingest-key.ts';
import { MetricRollupEntity, MetricRollupMarkEntity, MetricRollupProgressEntity } from './metric-rollup.ts';
import { AlertEventEntity, AlertRuleEntity, AlertStateEntity, AlertStreamEntity } from './alert.ts';
import { DashboardPrefsEntity } from './dashboard-prefs.ts';
import { InvitationEntity } from './invitation.ts';
import { TaskEntity } from './task.ts';
import { AccessTokenEntity } from './access-token.ts';
import { ExportEntity } from './export.ts';
import { ToolEffectEntity } from './tool-effect.ts';
import { ConversationSummaryEntity } from './conversation-summary.ts';

export * from './user.ts';
export * from './workspace.ts';
export * from './audit-log.ts';
export * from './conversation.ts';
export * from './sales.ts';
export * from './agent.ts';
export * from './ingest-key.ts';
export * from './metric-rollup.ts';
export * from './alert.ts';
export * from './dashboard-prefs.ts';
export * from './invitation.ts';
export * from './task.ts';
export * from './access-token.ts';
export * from './export.ts';
export * from './tool-effect.ts';
export * from './conversation-summary.ts';

// Agent-metric tables are queried with plain SQL; their entities state each table's shape (no
// drift: test/entities.server.test.ts). metric_samples has none (partitioned, no primary key): its
// shape is metric-storage/metric-samples.ts. Those entities are named …Entity because the plain
// names are taken by API shapes (@tandem/schema) and the SQL row types of the modules that query
// them; foreign keys keep the names and rules of the migration's inline `references`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- EntitySchema is invariant in its entity type: a list of different entities needs any
const agentMetricsEntities: EntitySchema<any, never>[] = [
  AgentEntity, IngestKeyEntity, MetricRollupEntity, MetricRollupProgressEntity, MetricRollupMarkEntity,
  AlertRuleEntity, AlertStateEntity, AlertStreamEntity, AlertEventEntity, DashboardPrefsEntity, TaskEntity, AccessTokenEntity, InvitationEntity, ToolEffectEntity,
  ConversationSummaryEntity,
];

export const entities = [User, Workspace, Membership, AuditLog, Conversation, Message, Run, ConversationEventRow, ExportEntity, ...salesEntities, ...agentMetricsEntities];
