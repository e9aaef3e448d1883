import { describe, expect, it } from 'vitest';
import { applyTaskEvent, describeDue, filterTasks, sortTasks, type Task } from './taskList.ts';

const task = (id: string, over: Partial<Task> = {}): Task => ({
  id, title: id, notes: '', dueAt: null, completed: false, completedAt: null,
  createdAt: `2026-12-0${id.length}T00:00:00.000Z`, updatedAt: '2026-12-01T00:00:00.000Z', ...over,
});

describe('task list', () => {
  it('keeps open tasks first, newest first, through pushed changes and deletions', () => {
    const a = task('a');
    const bb = task('bb');
    let list = sortTasks([a, bb]);
    expect(list.map((t) => t.id)).toEqual(['bb', 'a']);
    list = applyTaskEvent(list, { type: 'task.changed', task: { ...bb, completed: true, updatedAt: '2026-12-02T00:00:00.000Z' } });
    expect(list.map((t) => `${t.id}:${t.completed}`)).toEqual(['a:false', 'bb:true']);
    list = applyTaskEvent(list, { type: 'task.changed', task: task('ccc') });
    expect(list.map((t) => t.id)).toEqual(['ccc', 'a', 'bb']);
    expect(filterTasks(list, 'done').map((t) => t.id)).toEqual(['bb']);
    expect(filterTasks(list, 'open').map((t) => t.id)).toEqual(['ccc', 'a']);
    list = applyTaskEvent(list, { type: 'task.deleted', taskId: 'a' });
    expect(list.map((t) => t.id)).toEqual(['ccc', 'bb']);
  });

  it('ignores a push older than what the page shows', () => {
    const fresh = task('a', { title: 'new', updatedAt: '2026-12-03T00:00:00.000Z' });
    const list = applyTaskEvent([fresh], { type: 'task.changed', task: task('a', { title: 'old' }) });
    expect(list[0]!.title).toBe('new');
  });

  it('says when an open task is due', () => {
    const now = new Date('2026-12-10T15:00:00Z');
    expect(describeDue('2026-12-10T00:00:00.000Z', false, now)).toBe('due today');
    expect(describeDue('2026-12-11T00:00:00.000Z', false, now)).toBe('due tomorrow');
    expect(describeDue('2026-12-14T00:00:00.000Z', false, now)).toBe('due in 4 days (2026-12-14)');
    expect(describeDue('2026-12-08T00:00:00.000Z', false, now)).toBe('2 days overdue (2026-12-08)');
    expect(describeDue('2026-12-08T00:00:00.000Z', true, now)).toBe('due 2026-12-08');
  });
});
