// The tasks table: each member's own todo tasks in a workspace (tasks/tasks.ts reads and writes
// them with plain SQL; the assistant's task tools and MCP go through the same module).
import { defineEntity, p } from '@mikro-orm/core';
import { User } from './user.ts';
import { Workspace } from './workspace.ts';

export const TaskEntity = defineEntity({
  name: 'Task',
  tableName: 'tasks',
  indexes: [{ properties: ['workspace', 'owner', 'createdAt'], name: 'tasks_workspace_id_owner_id_created_at_index' }],
  properties: {
    id: p.uuid().primary(),
    workspace: () => p.manyToOne(Workspace).ref()
      .deleteRule('cascade').updateRule('no action').foreignKeyName('tasks_workspace_id_fkey'),
    owner: () => p.manyToOne(User).ref()
      .deleteRule('cascade').updateRule('no action').foreignKeyName('tasks_owner_id_fkey'),
    title: p.string().length(200),
    notes: p.text().default(''),
    dueAt: p.datetime().nullable(),
    completed: p.boolean().default(false),
    completedAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
