// The offline assistant's reading of plain task requests ("remind me to …", "what's on my list",
// "mark … as done", "rename … to …", "delete …") and its answers from the task tools' results.
import type { Task } from '@tandem/schema';
import { isoDay } from './date-range.ts';
import { describeTask } from './task-tools.ts';
import type { ToolResult } from './result.ts';

export interface TaskRequestPlan {
  tool: 'create_task' | 'list_tasks' | 'update_task' | 'toggle_task_completion' | 'delete_task';
  args: Record<string, unknown>;
}

const LIST_NOUN = String.raw`(?:to-?do\s+)?(?:list|tasks|to-?dos)`;
const CREATE = new RegExp(String.raw`^(?:remind me to|add (?:a )?(?:new )?(?:task|to-?do)(?: to| called| named)?:?|create (?:a )?(?:new )?(?:task|to-?do)(?: to| called| named)?:?|new (?:task|to-?do):?|add)\s+(.+?)(\s+to my ${LIST_NOUN})?$`, 'i');
const DONE = /^(?:mark|set|tick off|check off|cross off)\s+(.+?)\s+(?:as\s+)?(done|complete|completed|finished|not done|undone|open|incomplete|not completed)$/i;
const FINISHED = /^(?:i (?:have |'ve )?(?:finished|completed|done|did)|complete|finish|tick off|check off|cross off)\s+(.+)$/i;
const REOPEN = /^(?:reopen|re-open|uncheck|untick)\s+(.+)$/i;
const RENAME = /^(?:rename|retitle)\s+(.+?)\s+(?:to|as|into)\s+(.+)$/i;
const DELETE = new RegExp(String.raw`^(?:delete|remove|drop|forget)\s+(.+?)(?:\s+from my ${LIST_NOUN})?$`, 'i');
const LIST = new RegExp(String.raw`\b(?:what'?s on my ${LIST_NOUN}|(?:show|list|see|read)(?: me)? (?:all )?(?:of )?my ${LIST_NOUN}|my (?:open |done |completed |finished |pending )?(?:tasks|to-?dos|to-?do list)|what do i (?:still )?(?:have|need) to do|what'?s left to do|(?:open|pending|done|completed|finished) (?:tasks|to-?dos))\b`, 'i');
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const DUE = new RegExp(String.raw`\s+(?:(?:by|on|due|before|for)\s+)?(today|tonight|tomorrow|\d{4}-\d{2}-\d{2}|(?:next\s+)?(?:${WEEKDAYS.join('|')}))$`, 'i');

/** The words that name a task, without quotes, "the", "task" or trailing punctuation. */
function cleanRef(s: string): string {
  return s.trim()
    .replace(/^["“‘'`](.*)["”’'`]$/, '$1')
    .replace(/^(?:the|my)\s+(?:task\s+|to-?do\s+)?/i, '')
    .replace(/^(?:task|to-?do)\s+/i, '')
    .replace(/\s+(?:task|to-?do)$/i, '')
    .replace(/^["“‘'`](.*)["”’'`]$/, '$1')
    .trim();
}

/** "tomorrow", "friday", "2026-12-24" → the day (UTC) it names from `now`. */
function dueDay(word: string, now: Date): string {
  const w = word.toLowerCase().replace(/^next\s+/, '');
  if (/^\d{4}-\d{2}-\d{2}$/.test(w)) return w;
  const day = (n: number) => isoDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + n)));
  if (w === 'today' || w === 'tonight') return day(0);
  if (w === 'tomorrow') return day(1);
  return day((WEEKDAYS.indexOf(w) - now.getUTCDay() + 7) % 7 || 7);
}

/** The task tool call for a plain task request, or null when the question is not one. */
export function planTaskRequest(question: string, now: Date = new Date()): TaskRequestPlan | null {
  const q = question.trim().replace(/\s+/g, ' ').replace(/^(?:please|hey|ok|okay),?\s+/i, '').replace(/[.!?]+$/, '').replace(/,?\s+please$/i, '');
  if (!q) return null;
  const done = DONE.exec(q);
  if (done) return { tool: 'toggle_task_completion', args: { task: cleanRef(done[1]!), completed: !/^(not|undone|open|incomplete)/i.test(done[2]!) } };
  const finished = FINISHED.exec(q);
  if (finished) return { tool: 'toggle_task_completion', args: { task: cleanRef(finished[1]!), completed: true } };
  const reopen = REOPEN.exec(q);
  if (reopen) return { tool: 'toggle_task_completion', args: { task: cleanRef(reopen[1]!), completed: false } };
  const rename = RENAME.exec(q);
  if (rename) return { tool: 'update_task', args: { task: cleanRef(rename[1]!), title: cleanRef(rename[2]!) } };
  if (LIST.test(q)) {
    const filter = /\b(done|completed|finished)\b/i.test(q) && !/\bnot (done|completed|finished)\b/i.test(q) ? 'done' : /\ball\b/i.test(q) ? 'all' : 'open';
    return { tool: 'list_tasks', args: { filter } };
  }
  const create = CREATE.exec(q);
  // A bare "add …" is a task only when it says where: "add milk to my list".
  if (create && (!/^add\s/i.test(q) || /^add (?:a )?(?:new )?(?:task|to-?do)\b/i.test(q) || create[2])) {
    let title = create[1]!;
    const due = DUE.exec(title);
    if (due) title = title.slice(0, due.index);
    title = cleanRef(title);
    if (!title) return null;
    return { tool: 'create_task', args: { title: title[0]!.toUpperCase() + title.slice(1), ...(due ? { due: dueDay(due[1]!, now) } : {}) } };
  }
  const del = DELETE.exec(q);
  if (del) return { tool: 'delete_task', args: { task: cleanRef(del[1]!) } };
  return null;
}

/** The offline answer from a task tool's result; an ambiguous title becomes a question back. */
export function writeTaskAnswer(result: ToolResult): string {
  const data = result.data as { ambiguous?: boolean; query?: string; candidates?: Task[] };
  if (!data.ambiguous) return result.summary;
  const lines = (data.candidates ?? []).map((t) => `- ${describeTask(t)}`);
  return [`Several of your tasks match “${data.query ?? ''}”:`, '', ...lines, '', 'Which one do you mean? Say it with the whole title.'].join('\n');
}
