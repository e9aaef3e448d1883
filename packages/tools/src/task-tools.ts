// The five task tools: the asker's own todo tasks in the asker's workspace (ctx.userId and
// ctx.workspaceId, never a parameter). A title that matches several tasks answers with them.
import { z } from 'zod';
import { AppError, createTask, deleteTask, findTask, listTasks, roleIn, toggleTask, updateTask, type TaskScope } from '@tandem/core';
import { taskDueSchema, taskFilterSchema, taskNotesSchema, taskTitleSchema, type Task } from '@tandem/schema';
import { defineTool, type ToolContext } from './define-tool.ts';
import type { ToolResult } from './result.ts';

/**
 * The asker's tasks, checked again here: a run or token may outlive the role it was made with,
 * and viewers have no tasks (as task.* says).
 */
async function taskScope(ctx: ToolContext): Promise<TaskScope> {
  const role = await roleIn(ctx.em, ctx.workspaceId, ctx.userId);
  if (!role) throw new AppError('NOT_FOUND', 'Not found');
  if (role === 'viewer') throw new AppError('FORBIDDEN', 'Tasks need the member role; you are a viewer in this workspace');
  return { workspaceId: ctx.workspaceId, ownerId: ctx.userId };
}

const deps = (ctx: ToolContext) => ({ em: ctx.em, ...(ctx.bus ? { bus: ctx.bus } : {}) });

const taskRef = z.string().trim().min(1).max(200)
  .describe('The task: its id, or its title (or enough of it to be unambiguous).');

/** "Buy milk" (due 2026-12-24, done) — how summaries name a task. */
export function describeTask(t: Task): string {
  const due = t.dueAt ? `, due ${t.dueAt.slice(0, 10)}` : '';
  return `"${t.title}"${due}${t.completed ? ', done' : ''}`;
}

/** The answer when a title names several tasks: the candidates, for the model to ask back. */
function ambiguous(ref: string, candidates: Task[]): ToolResult {
  return {
    data: { ambiguous: true, query: ref, candidates },
    chart: { kind: 'table', x: 'title', series: ['completed', 'dueAt'], title: `Tasks matching "${ref}"` },
    summary: `Several of your tasks match "${ref}": ${candidates.map((t, i) => `${i + 1}. ${describeTask(t)} (id ${t.id})`).join('; ')}. ` +
      'Ask which one is meant, then call again with its id.',
  };
}

export const createTaskTool = defineTool({
  name: 'create_task',
  changesData: true,
  description: "Adds a todo task to the asker's own task list in this workspace, with optional notes and due date.",
  parameters: z.object({
    title: taskTitleSchema.describe('What to do, in a few words.'),
    notes: taskNotesSchema.optional().describe('Details, if the asker gave any.'),
    due: taskDueSchema.optional().describe('Due date as YYYY-MM-DD, or an ISO-8601 date-time with offset.'),
  }),
  async handler(params, ctx) {
    const task = await createTask(deps(ctx), await taskScope(ctx), { title: params.title, notes: params.notes, dueAt: params.due });
    return { data: { task }, summary: `Added ${describeTask(task)} to your tasks.` };
  },
});

export const listTasksTool = defineTool({
  name: 'list_tasks',
  description: "The asker's own todo tasks in this workspace: open (default), done or all, with due dates and ids.",
  parameters: z.object({ filter: taskFilterSchema.default('open').describe('open: not done yet; done: completed; all: both.') }),
  async handler(params, ctx) {
    const tasks = await listTasks(ctx.em, await taskScope(ctx), params.filter);
    const label = params.filter === 'all' ? '' : `${params.filter} `;
    const summary = tasks.length
      ? `You have ${tasks.length} ${label}task${tasks.length === 1 ? '' : 's'}:\n${tasks.slice(0, 50).map((t) => `- ${describeTask(t)}`).join('\n')}` +
        (tasks.length > 50 ? `\n- …and ${tasks.length - 50} more` : '')
      : `You have no ${label}tasks.`;
    return {
      data: { filter: params.filter, tasks },
      chart: { kind: 'table', x: 'title', series: ['completed', 'dueAt'], title: `Your ${label}tasks` },
      summary,
    };
  },
});

export const updateTaskTool = defineTool({
  name: 'update_task',
  changesData: true,
  description: "Renames one of the asker's tasks, or changes its notes or due date (due: null clears it).",
  parameters: z.object({
    task: taskRef,
    title: taskTitleSchema.optional().describe('The new title.'),
    notes: taskNotesSchema.optional().describe('The new notes (replace the old ones).'),
    due: taskDueSchema.nullable().optional().describe('The new due date (YYYY-MM-DD or ISO-8601), or null to clear it.'),
  }),
  async handler(params, ctx) {
    const scope = await taskScope(ctx);
    const match = await findTask(ctx.em, scope, params.task);
    if ('candidates' in match) return ambiguous(params.task, match.candidates);
    const task = await updateTask(deps(ctx), scope, match.task.id, { title: params.title, notes: params.notes, dueAt: params.due });
    return { data: { task, before: match.task }, summary: `Updated ${describeTask(match.task)}: now ${describeTask(task)}.` };
  },
});

export const toggleTaskCompletionTool = defineTool({
  name: 'toggle_task_completion',
  changesData: true,
  description: "Marks one of the asker's tasks done or not done (completed: true or false), or flips it when completed is left out.",
  parameters: z.object({
    task: taskRef,
    completed: z.boolean().optional().describe('true: done; false: not done; absent: flip.'),
  }),
  async handler(params, ctx) {
    const scope = await taskScope(ctx);
    // "Mark X as done" means the open X when a done one has the same title.
    const prefer = params.completed === undefined ? undefined : { completed: !params.completed };
    const match = await findTask(ctx.em, scope, params.task, prefer);
    if ('candidates' in match) return ambiguous(params.task, match.candidates);
    const task = await toggleTask(deps(ctx), scope, match.task.id, params.completed);
    return { data: { task }, summary: `Marked "${task.title}" as ${task.completed ? 'done' : 'not done'}.` };
  },
});

export const deleteTaskTool = defineTool({
  name: 'delete_task',
  changesData: true,
  description: "Deletes one of the asker's tasks for good.",
  parameters: z.object({ task: taskRef }),
  async handler(params, ctx) {
    const scope = await taskScope(ctx);
    const match = await findTask(ctx.em, scope, params.task);
    if ('candidates' in match) return ambiguous(params.task, match.candidates);
    const task = await deleteTask(deps(ctx), scope, match.task.id);
    return { data: { task, deleted: true }, summary: `Deleted ${describeTask(task)}.` };
  },
});

export const taskTools = [createTaskTool, listTasksTool, updateTaskTool, toggleTaskCompletionTool, deleteTaskTool] as const;
