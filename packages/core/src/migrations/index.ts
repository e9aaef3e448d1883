// Every migration, in order. Listed explicitly so they load the same under tsx, vitest and builds.
import { Migration20261123000000Foundation } from './Migration20261123000000Foundation.ts';
import { Migration20261123090000Conversations } from './Migration20261123090000Conversations.ts';
import { Migration20261123100000Sales } from './Migration20261123100000Sales.ts';
import { Migration20261123200000Metrics } from './Migration20261123200000Metrics.ts';
import { Migration20261124000000RunAttempts } from './Migration20261124000000RunAttempts.ts';
import { Migration20261124120000OpenRunsIndex } from './Migration20261124120000OpenRunsIndex.ts';
import { Migration20261125100000RateLimits } from './Migration20261125100000RateLimits.ts';
import { Migration20261202100000Tasks } from './Migration20261202100000Tasks.ts';
import { Migration20261202150000AccessTokens } from './Migration20261202150000AccessTokens.ts';
import { Migration20261202110000Exports } from './Migration20261202110000Exports.ts';
import { Migration20261202120000Retention } from './Migration20261202120000Retention.ts';
import { Migration20261202130000Invitations } from './Migration20261202130000Invitations.ts';
import { Migration20261202140000ToolEffects } from './Migration20261202140000ToolEffects.ts';
import { Migration20261202160000ExportSchedules } from './Migration20261202160000ExportSchedules.ts';
import { Migration20261202180500RunQuotaIndexes } from './Migration20261202180500RunQuotaIndexes.ts';
import { Migration20261202190000AssistantBudget } from './Migration20261202190000AssistantBudget.ts';
import { Migration20261203100000ConversationSummaries } from './Migration20261203100000ConversationSummaries.ts';
import { Migration20261204100000ExportWebhooks } from './Migration20261204100000ExportWebhooks.ts';
import { Migration20261205100000AlertRuleConversation } from './Migration20261205100000AlertRuleConversation.ts';
import { Migration20261205200000MessageMetricRef } from './Migration20261205200000MessageMetricRef.ts';
import { Migration20261205210000RunMarkersIndex } from './Migration20261205210000RunMarkersIndex.ts';

export const migrations = [
  { name: 'Migration20261123000000Foundation', class: Migration20261123000000Foundation },
  { name: 'Migration20261123090000Conversations', class: Migration20261123090000Conversations },
  { name: 'Migration20261123100000Sales', class: Migration20261123100000Sales },
  { name: 'Migration20261123200000Metrics', class: Migration20261123200000Metrics },
  { name: 'Migration20261124000000RunAttempts', class: Migration20261124000000RunAttempts },
  { name: 'Migration20261124120000OpenRunsIndex', class: Migration20261124120000OpenRunsIndex },
  { name: 'Migration20261125100000RateLimits', class: Migration20261125100000RateLimits },
  { name: 'Migration20261202100000Tasks', class: Migration20261202100000Tasks },
  { name: 'Migration20261202110000Exports', class: Migration20261202110000Exports },
  { name: 'Migration20261202120000Retention', class: Migration20261202120000Retention },
  { name: 'Migration20261202130000Invitations', class: Migration20261202130000Invitations },
  { name: 'Migration20261202140000ToolEffects', class: Migration20261202140000ToolEffects },
  { name: 'Migration20261202150000AccessTokens', class: Migration20261202150000AccessTokens },
  { name: 'Migration20261202160000ExportSchedules', class: Migration20261202160000ExportSchedules },
  { name: 'Migration20261202180500RunQuotaIndexes', class: Migration20261202180500RunQuotaIndexes },
  { name: 'Migration20261202190000AssistantBudget', class: Migration20261202190000AssistantBudget },
  { name: 'Migration20261203100000ConversationSummaries', class: Migration20261203100000ConversationSummaries },
  { name: 'Migration20261204100000ExportWebhooks', class: Migration20261204100000ExportWebhooks },
  { name: 'Migration20261205100000AlertRuleConversation', class: Migration20261205100000AlertRuleConversation },
  { name: 'Migration20261205200000MessageMetricRef', class: Migration20261205200000MessageMetricRef },
  { name: 'Migration20261205210000RunMarkersIndex', class: Migration20261205210000RunMarkersIndex },
];
