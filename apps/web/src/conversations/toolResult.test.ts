// How a tool's result reads in its card: rows however they were wrapped, columns, cells,
// arguments, and the chart its hint asks for.
import { describe, expect, it } from 'vitest';
import { chartOf, columnsOf, formatArgs, formatCell, rowsOf, taskActionOf, taskRowsOf } from './toolResult.ts';

describe('rowsOf', () => {
  it('takes an array of objects, leaving out anything that is not a row', () => {
    expect(rowsOf([{ a: 1 }, 2, null, [3], { b: 'x' }])).toEqual([{ a: 1 }, { b: 'x' }]);
  });

  it('unwraps { rows: [...] } and the like, and shows a lone object as one row', () => {
    expect(rowsOf({ total: 2, items: [{ a: 1 }, { a: 2 }] })).toEqual([{ a: 1 }, { a: 2 }]);
    expect(rowsOf({ revenue: 10 })).toEqual([{ revenue: 10 }]);
  });

  it('has no rows for nothing or a bare value', () => {
    expect(rowsOf(undefined)).toEqual([]);
    expect(rowsOf('done')).toEqual([]);
    expect(rowsOf(42)).toEqual([]);
  });
});

describe('columnsOf', () => {
  it('lists every key once, in the order it first appears', () => {
    expect(columnsOf([{ month: '2026-01', units: 3 }, { month: '2026-02', revenue: 9, units: 1 }])).toEqual(['month', 'units', 'revenue']);
  });
});

describe('formatCell', () => {
  it('shows missing values as a dash, objects as JSON and text as it is', () => {
    expect(formatCell(null)).toBe('—');
    expect(formatCell(undefined)).toBe('—');
    expect(formatCell({ a: [1] })).toBe('{"a":[1]}');
    expect(formatCell('Widget')).toBe('Widget');
    expect(formatCell(false)).toBe('false');
  });

  it('rounds fractions to two decimals', () => {
    expect(formatCell(1.23456)).toMatch(/^1[.,]23$/);
  });
});

describe('formatArgs', () => {
  it('writes arguments as "key: value", strings bare and the rest as JSON', () => {
    expect(formatArgs({ limit: 10, order: 'top', months: [1, 2] })).toBe('limit: 10, order: top, months: [1,2]');
    expect(formatArgs(null)).toBe('');
    expect(formatArgs('raw')).toBe('raw');
  });
});

describe('chartOf', () => {
  const rows = [
    { month: '2026-01', revenue: 100, units: 'n/a' },
    { month: '2026-02', revenue: 150, units: 4 },
  ];

  it('makes one series per hinted column, with non-numbers as gaps', () => {
    expect(chartOf({ kind: 'bar', x: 'month', series: ['revenue', 'units'], title: 'Revenue' }, rows)).toEqual({
      kind: 'bar',
      title: 'Revenue',
      labels: ['2026-01', '2026-02'],
      series: [
        { label: 'revenue', values: [100, 150] },
        { label: 'units', values: [null, 4] },
      ],
    });
  });

  it('draws nothing for table and stat hints, no hint, or no rows', () => {
    expect(chartOf({ kind: 'table', x: 'month', series: ['revenue'] }, rows)).toBeNull();
    expect(chartOf({ kind: 'stat', x: 'month', series: ['revenue'] }, rows)).toBeNull();
    expect(chartOf(undefined, rows)).toBeNull();
    expect(chartOf({ kind: 'line', x: 'month', series: ['revenue'] }, [])).toBeNull();
  });
});

describe('task tool results', () => {
  const task = { id: 't1', title: 'Call Ana', notes: '', dueAt: '2026-12-24T00:00:00.000Z', completed: true, completedAt: null, createdAt: '', updatedAt: '' };
  it('shows tasks as title, due and done, and says what the tool did', () => {
    expect(taskRowsOf('create_task', { task })).toEqual([{ title: 'Call Ana', due: '2026-12-24', done: 'yes' }]);
    expect(taskRowsOf('list_tasks', { filter: 'open', tasks: [task, { ...task, dueAt: null, completed: false }] })).toHaveLength(2);
    expect(taskRowsOf('get_sales_by_month', { rows: [] })).toBeNull();
    expect(taskActionOf('toggle_task_completion', { task })).toBe('Marked “Call Ana” done');
    expect(taskActionOf('delete_task', { task, deleted: true })).toBe('Deleted “Call Ana”');
    expect(taskActionOf('update_task', { ambiguous: true, query: 'report', candidates: [task] })).toBe('Several tasks match “report”: which one?');
    expect(taskActionOf('list_tasks', { tasks: [] })).toBeNull();
  });
});
