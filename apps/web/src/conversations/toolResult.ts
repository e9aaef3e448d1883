// What a tool call's result shows as: its rows (however the tool wrapped them), their columns,
// cell and argument text, and the chart its hint asks for.
import type { CategorySeries } from '../components/CategoryChart.tsx';
import type { ChartHint } from './conversationState.ts';

export type Row = Record<string, unknown>;

export function rowsOf(result: unknown): Row[] {
  if (Array.isArray(result)) return result.filter((r): r is Row => typeof r === 'object' && r !== null && !Array.isArray(r));
  if (result && typeof result === 'object') {
    // Some tools wrap their rows: { rows: [...] } or { items: [...] }.
    for (const value of Object.values(result)) if (Array.isArray(value)) return rowsOf(value);
    return [result as Row];
  }
  return [];
}

/** Every key of the rows, in the order they first appear. */
export function columnsOf(rows: readonly Row[]): string[] {
  const keys: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!keys.includes(key)) keys.push(key);
  return keys;
}

export function formatCell(value: unknown): string {
  if (value == null) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString() : value.toLocaleString(undefined, { maximumFractionDigits: 2 });
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function formatArgs(args: unknown): string {
  if (args == null) return '';
  if (typeof args !== 'object') return String(args);
  return Object.entries(args as Row)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}

export interface ToolChart {
  kind: 'line' | 'bar';
  title: string | undefined;
  labels: string[];
  series: CategorySeries[];
}

/** The line or bar chart a hint asks for (tables and stats are the rows themselves); null for none. */
export function chartOf(hint: ChartHint | undefined, rows: readonly Row[]): ToolChart | null {
  if (!hint || (hint.kind !== 'line' && hint.kind !== 'bar') || rows.length === 0) return null;
  return {
    kind: hint.kind,
    title: hint.title,
    labels: rows.map((row) => formatCell(row[hint.x])),
    series: hint.series.map((key) => ({
      label: key,
      values: rows.map((row) => (typeof row[key] === 'number' ? (row[key]) : null)),
    })),
  };
}

interface TaskLike {
  title: string;
  dueAt: string | null;
  completed: boolean;
}
type TaskResult = { task?: TaskLike; tasks?: TaskLike[]; candidates?: TaskLike[]; ambiguous?: boolean; query?: string; deleted?: boolean };
const TASK_TOOLS = new Set(['create_task', 'list_tasks', 'update_task', 'toggle_task_completion', 'delete_task']);

/** A task tool's tasks as short rows (title, due, done) instead of every field; null for other tools. */
export function taskRowsOf(tool: string, result: unknown): Row[] | null {
  if (!TASK_TOOLS.has(tool) || !result || typeof result !== 'object') return null;
  const r = result as TaskResult;
  const tasks = r.tasks ?? r.candidates ?? (r.task ? [r.task] : []);
  return tasks.map((t) => ({ title: t.title, due: t.dueAt ? t.dueAt.slice(0, 10) : null, done: t.completed ? 'yes' : 'no' }));
}

/** What a task tool did, in words: "Added", "Marked done", or the question an ambiguous title raises. */
export function taskActionOf(tool: string, result: unknown): string | null {
  if (!TASK_TOOLS.has(tool) || !result || typeof result !== 'object') return null;
  const r = result as TaskResult;
  if (r.ambiguous) return `Several tasks match “${r.query ?? ''}”: which one?`;
  const title = r.task ? `“${r.task.title}”` : '';
  switch (tool) {
    case 'create_task':
      return `Added ${title}`;
    case 'update_task':
      return `Updated ${title}`;
    case 'toggle_task_completion':
      return `Marked ${title} ${r.task?.completed ? 'done' : 'not done'}`;
    case 'delete_task':
      return `Deleted ${title}`;
    default:
      return null;
  }
}
