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
