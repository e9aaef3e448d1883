// Each member's own todo tasks in a workspace: the one module the task.* procedures, the
// assistant's task tools and MCP all go through. Every query is scoped to (workspace, owner).
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Task, TaskEvent, TaskFilter } from '@tandem/schema';
import { AppError } from '../errors.ts';
import type { Bus } from '../bus/bus.ts';

/** Whose tasks: another owner's or another workspace's task is NOT_FOUND, never revealed. */
export interface TaskScope {
  workspaceId: string;
  ownerId: string;
}

export interface TaskDeps {
  em: EntityManager;
  /** Wakes the owner's open Tasks pages (task.events); absent in tests that only read. */
  bus?: Bus;
}

/** A person's list stays a list: past this, create answers CONFLICT. */
export const MAX_TASKS_PER_OWNER = 1000;
/** task.list and list_tasks return at most this many (open first, then newest). */
export const TASK_LIST_LIMIT = 500;

export const taskChannel = (scope: TaskScope) => `tasks:${scope.workspaceId}:${scope.ownerId}`;

interface TaskRow {
  id: string;
  title: string;
  notes: string;
  due_at: Date | null;
  completed: boolean;
  completed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, title, notes, due_at, completed, completed_at, created_at, updated_at';
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

const toTask = (r: TaskRow): Task => ({
  id: r.id,
  title: r.title,
  notes: r.notes,
  dueAt: iso(r.due_at),
  completed: r.completed,
  completedAt: iso(r.completed_at),
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

/** `2026-12-24` is midnight UTC that day; a date-time keeps its instant. */
export function parseDue(due: string | null | undefined): Date | null | undefined {
  if (due === undefined || due === null) return due;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(due) ? `${due}T00:00:00Z` : due);
  if (Number.isNaN(d.getTime())) throw new AppError('BAD_REQUEST', 'Due date is not a valid date', { field: 'dueAt' });
  return d;
}

async function announce(deps: TaskDeps, scope: TaskScope, event: TaskEvent): Promise<void> {
  await deps.bus?.publish(taskChannel(scope), event);
}

const FILTERS: Record<TaskFilter, string> = { open: 'and not completed', done: 'and completed', all: '' };

export async function listTasks(em: EntityManager, scope: TaskScope, filter: TaskFilter = 'all'): Promise<Task[]> {
  const rows = await em.execute<TaskRow[]>(
    `select ${COLUMNS} from tasks where workspace_id = ? and owner_id = ? ${FILTERS[filter]}
      order by completed, created_at desc, id limit ${TASK_LIST_LIMIT}`,
    [scope.workspaceId, scope.ownerId]);
  return rows.map(toTask);
}

export async function getTask(em: EntityManager, scope: TaskScope, taskId: string): Promise<Task> {
  const [row] = await em.execute<TaskRow[]>(
    `select ${COLUMNS} from tasks where id = ? and workspace_id = ? and owner_id = ?`, [taskId, scope.workspaceId, scope.ownerId]);
  if (!row) throw new AppError('NOT_FOUND', 'No such task');
  return toTask(row);
}

export async function createTask(
  deps: TaskDeps,
  scope: TaskScope,
  input: { title: string; notes?: string | undefined; dueAt?: string | null | undefined },
): Promise<Task> {
  const dueAt = parseDue(input.dueAt) ?? null;
  const task = await deps.em.transactional(async (tx) => {
    // Serialises one owner's creates so the cap holds under concurrent calls.
    await tx.execute(`select pg_advisory_xact_lock(hashtext(?))`, [taskChannel(scope)]);
    const [{ n }] = (await tx.execute<{ n: number }[]>(
      `select count(*)::int as n from tasks where workspace_id = ? and owner_id = ?`, [scope.workspaceId, scope.ownerId])) as [{ n: number }];
    if (n >= MAX_TASKS_PER_OWNER)
      throw new AppError('CONFLICT', `You have ${MAX_TASKS_PER_OWNER} tasks in this workspace, the most there can be; delete some first`);
    const [row] = await tx.execute<TaskRow[]>(
      `insert into tasks (id, workspace_id, owner_id, title, notes, due_at) values (?, ?, ?, ?, ?, ?) returning ${COLUMNS}`,
      [randomUUID(), scope.workspaceId, scope.ownerId, input.title, input.notes ?? '', dueAt]);
    return toTask(row!);
  });
  await announce(deps, scope, { type: 'task.changed', task });
  return task;
}

export interface TaskPatch {
  title?: string | undefined;
  notes?: string | undefined;
  dueAt?: string | null | undefined;
  completed?: boolean | undefined;
}

export async function updateTask(deps: TaskDeps, scope: TaskScope, taskId: string, patch: TaskPatch): Promise<Task> {
  const sets: string[] = [];
  const params: unknown[] = [];
  const set = (sql: string, ...values: unknown[]) => {
    sets.push(sql);
    params.push(...values);
  };
  if (patch.title !== undefined) set('title = ?', patch.title);
  if (patch.notes !== undefined) set('notes = ?', patch.notes);
  if (patch.dueAt !== undefined) set('due_at = ?', parseDue(patch.dueAt));
  // completed_at keeps the first completion when "done" is said twice.
  if (patch.completed !== undefined)
    set('completed = ?, completed_at = case when ? then coalesce(completed_at, now()) end', patch.completed, patch.completed);
  if (!sets.length) return getTask(deps.em, scope, taskId);
  const [row] = await deps.em.execute<TaskRow[]>(
    `update tasks set ${sets.join(', ')}, updated_at = now() where id = ? and workspace_id = ? and owner_id = ? returning ${COLUMNS}`,
    [...params, taskId, scope.workspaceId, scope.ownerId]);
  if (!row) throw new AppError('NOT_FOUND', 'No such task');
  const task = toTask(row);
  await announce(deps, scope, { type: 'task.changed', task });
  return task;
}

/** Flips completion, or sets it when `completed` is given. */
export async function toggleTask(deps: TaskDeps, scope: TaskScope, taskId: string, completed?: boolean): Promise<Task> {
  const [row] = await deps.em.execute<TaskRow[]>(
    `update tasks set completed = coalesce(?, not completed),
            completed_at = case when coalesce(?, not completed) then coalesce(completed_at, now()) end,
            updated_at = now()
      where id = ? and workspace_id = ? and owner_id = ? returning ${COLUMNS}`,
    [completed ?? null, completed ?? null, taskId, scope.workspaceId, scope.ownerId]);
  if (!row) throw new AppError('NOT_FOUND', 'No such task');
  const task = toTask(row);
  await announce(deps, scope, { type: 'task.changed', task });
  return task;
}

export async function deleteTask(deps: TaskDeps, scope: TaskScope, taskId: string): Promise<Task> {
  const [row] = await deps.em.execute<TaskRow[]>(
    `delete from tasks where id = ? and workspace_id = ? and owner_id = ? returning ${COLUMNS}`, [taskId, scope.workspaceId, scope.ownerId]);
  if (!row) throw new AppError('NOT_FOUND', 'No such task');
  await announce(deps, scope, { type: 'task.deleted', taskId });
  return toTask(row);
}

export type TaskMatch = { task: Task } | { candidates: Task[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** At most this many candidates are offered back when a title is ambiguous. */
const MAX_CANDIDATES = 10;

/**
 * A task named by id or by title (as people and models refer to them): an exact title (any
 * case) wins, else the titles that contain the words. One match is the task; several are
 * candidates to ask back about; none is NOT_FOUND. `prefer` breaks a tie by completion, e.g.
 * "mark X as done" means the open X.
 */
export async function findTask(em: EntityManager, scope: TaskScope, ref: string, prefer?: { completed: boolean }): Promise<TaskMatch> {
  const text = ref.trim();
  if (UUID.test(text)) return { task: await getTask(em, scope, text.toLowerCase()) };
  const like = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await em.execute<(TaskRow & { exact: boolean })[]>(
    `select ${COLUMNS}, lower(title) = lower(?) as exact from tasks
      where workspace_id = ? and owner_id = ? and lower(title) like ?
      order by exact desc, completed, created_at desc limit 50`,
    [text, scope.workspaceId, scope.ownerId, like]);
  const exact = rows.filter((r) => r.exact);
  let matches = (exact.length ? exact : rows).map(toTask);
  if (matches.length > 1 && prefer) {
    const preferred = matches.filter((t) => t.completed === prefer.completed);
    if (preferred.length === 1) matches = preferred;
  }
  if (!matches.length) throw new AppError('NOT_FOUND', `No task of yours matches "${text}"`);
  return matches.length === 1 ? { task: matches[0]! } : { candidates: matches.slice(0, MAX_CANDIDATES) };
}
