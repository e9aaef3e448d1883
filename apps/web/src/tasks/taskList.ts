// The Tasks page's list as task.list gave it, kept current by task.events: open tasks first,
// newest first within each, like the server orders them.
import type { trpc } from '../trpc.ts';

export type Task = Awaited<ReturnType<typeof trpc.task.list.query>>[number];
export type TaskFilter = 'open' | 'done' | 'all';
export type TaskEvent = { type: 'task.changed'; task: Task } | { type: 'task.deleted'; taskId: string } | { type: 'resync' };

export function sortTasks(tasks: readonly Task[]): Task[] {
  return [...tasks].sort((a, b) => Number(a.completed) - Number(b.completed) || b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

/** The list after one pushed change; a stale push (older updatedAt) does not undo a newer one. */
export function applyTaskEvent(tasks: readonly Task[], event: TaskEvent): Task[] {
  if (event.type === 'task.deleted') return tasks.filter((t) => t.id !== event.taskId);
  if (event.type !== 'task.changed') return [...tasks];
  const current = tasks.find((t) => t.id === event.task.id);
  if (current && current.updatedAt > event.task.updatedAt) return [...tasks];
  return sortTasks([...tasks.filter((t) => t.id !== event.task.id), event.task]);
}

export const filterTasks = (tasks: readonly Task[], filter: TaskFilter): Task[] =>
  filter === 'all' ? [...tasks] : tasks.filter((t) => t.completed === (filter === 'done'));

/** A due date as the date input shows it (YYYY-MM-DD, UTC), or ''. */
export const dueInputValue = (dueAt: string | null): string => (dueAt ? dueAt.slice(0, 10) : '');

/** "due today", "due in 3 days", "2 days overdue" for an open task; the date for a done one. */
export function describeDue(dueAt: string, completed: boolean, now = new Date()): string {
  const day = dueAt.slice(0, 10);
  if (completed) return `due ${day}`;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days = Math.round((Date.parse(`${day}T00:00:00Z`) - today) / 86_400_000);
  if (days === 0) return 'due today';
  if (days === 1) return 'due tomorrow';
  if (days > 1) return `due in ${days} days (${day})`;
  return `${-days} day${days === -1 ? '' : 's'} overdue (${day})`;
}
