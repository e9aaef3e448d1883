export * from './user.ts';
export * from './workspace.ts';
export * from './audit-log.ts';
import { User } from './user.ts';
import { Workspace, Membership } from './workspace.ts';
import { AuditLog } from './audit-log.ts';

export const entities = [User, Workspace, Membership, AuditLog];
