// Inputs and shapes of task.* (each member's own todo tasks) and of the assistant's task tools,
// which take the same fields: one source for the API, the tools and their JSON Schemas.
import { z } from 'zod';
import { idSchema } from './auth.ts';
import { asTextType, multiLineText, singleLineText } from './text.ts';

/** Column size of tasks.title. */
export const TASK_TITLE_MAX = 200;
export const TASK_NOTES_MAX = 5000;

export const taskTitleSchema = singleLineText('Title', { max: TASK_TITLE_MAX });
export const taskNotesSchema = multiLineText('Notes', { min: 0, max: TASK_NOTES_MAX });
/** A day (`2026-12-24`, read as midnight UTC) or an ISO-8601 date-time with offset. */
export const taskDueSchema = asTextType(
  z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'Due date must be a date (YYYY-MM-DD) or an ISO-8601 date-time' }),
  { kind: 'token', field: 'Due date', min: 10, max: 40 },
);
export const taskFilterSchema = z.enum(['open', 'done', 'all']);
export type TaskFilter = z.infer<typeof taskFilterSchema>;

export const listTasksInput = z.object({ workspaceId: idSchema, filter: taskFilterSchema.default('all') });
export const createTaskInput = z.object({
  workspaceId: idSchema,
  title: taskTitleSchema,
  notes: taskNotesSchema.optional(),
  dueAt: taskDueSchema.nullish(),
});
export const updateTaskInput = z.object({
  workspaceId: idSchema,
  taskId: idSchema,
  title: taskTitleSchema.optional(),
  notes: taskNotesSchema.optional(),
  /** null clears the due date; absent leaves it. */
  dueAt: taskDueSchema.nullish(),
  completed: z.boolean().optional(),
});
/** Flips the task, or sets it when `completed` is given (repeating that is harmless). */
export const toggleTaskInput = z.object({ workspaceId: idSchema, taskId: idSchema, completed: z.boolean().optional() });
export const taskIdInput = z.object({ workspaceId: idSchema, taskId: idSchema });

export const taskSchema = z.object({
  id: z.string(),
  title: z.string(),
  notes: z.string(),
  dueAt: z.string().nullable(),
  completed: z.boolean(),
  completedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Task = z.infer<typeof taskSchema>;

/** What task.events yields: a change to one of the caller's tasks, or `resync` (re-read the list). */
export const taskEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('task.changed'), task: taskSchema }),
  z.object({ type: z.literal('task.deleted'), taskId: z.string() }),
  z.object({ type: z.literal('resync') }),
]);
export type TaskEvent = z.infer<typeof taskEventSchema>;
