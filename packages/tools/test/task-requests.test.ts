// The offline assistant reads plain task requests as task tool calls, and leaves other questions alone.
import { describe, expect, it } from 'vitest';
import { planOffline, writeOfflineAnswer } from '../src/index.ts';

const now = new Date('2026-11-25T10:00:00Z'); // a Wednesday
const plan = (q: string) => planOffline(q, { now });

describe('offline task requests', () => {
  it('"remind me to …" and "add … to my list" create a task, with the due day they name', () => {
    expect(plan('Remind me to call Ana')).toEqual({ tool: 'create_task', args: { title: 'Call Ana' } });
    expect(plan('remind me to check the sales report tomorrow')).toEqual({ tool: 'create_task', args: { title: 'Check the sales report', due: '2026-11-26' } });
    expect(plan('Please add a task: renew the domain by friday.')).toEqual({ tool: 'create_task', args: { title: 'Renew the domain', due: '2026-11-27' } });
    expect(plan('add milk to my list')).toEqual({ tool: 'create_task', args: { title: 'Milk' } });
    expect(plan('create a task called "Ship v2" on 2026-12-24')).toEqual({ tool: 'create_task', args: { title: 'Ship v2', due: '2026-12-24' } });
    expect(plan('Remind me to pay rent on wednesday')).toMatchObject({ args: { due: '2026-12-02' } });
  });

  it('"what\'s on my list" lists open tasks; done or all when asked', () => {
    expect(plan("What's on my list?")).toEqual({ tool: 'list_tasks', args: { filter: 'open' } });
    expect(plan('show my tasks')).toEqual({ tool: 'list_tasks', args: { filter: 'open' } });
    expect(plan('What do I still have to do?')).toEqual({ tool: 'list_tasks', args: { filter: 'open' } });
    expect(plan('which tasks are done? my completed tasks')).toEqual({ tool: 'list_tasks', args: { filter: 'done' } });
    expect(plan('list all my todos')).toEqual({ tool: 'list_tasks', args: { filter: 'all' } });
  });

  it('"mark … as done", "rename … to …" and "delete …" name a task by its title', () => {
    expect(plan('Mark call Ana as done')).toEqual({ tool: 'toggle_task_completion', args: { task: 'call Ana', completed: true } });
    expect(plan('mark the "milk" task complete')).toEqual({ tool: 'toggle_task_completion', args: { task: 'milk', completed: true } });
    expect(plan('I finished the sales report')).toEqual({ tool: 'toggle_task_completion', args: { task: 'sales report', completed: true } });
    expect(plan('mark milk as not done')).toEqual({ tool: 'toggle_task_completion', args: { task: 'milk', completed: false } });
    expect(plan('reopen milk')).toEqual({ tool: 'toggle_task_completion', args: { task: 'milk', completed: false } });
    expect(plan('Rename call Ana to Call Ana and Bo')).toEqual({ tool: 'update_task', args: { task: 'call Ana', title: 'Call Ana and Bo' } });
    expect(plan('delete the milk task')).toEqual({ tool: 'delete_task', args: { task: 'milk' } });
    expect(plan('remove renew the domain from my list')).toEqual({ tool: 'delete_task', args: { task: 'renew the domain' } });
  });

  it('leaves analytics questions to the other tools', () => {
    expect(plan('Top 5 products by revenue')).toMatchObject({ tool: 'get_product_analytics' });
    expect(plan('Which agents are degraded?')).toMatchObject({ tool: 'list_agents' });
    expect(plan('How did sales trend over the last 6 months?')).toMatchObject({ tool: 'get_sales_by_month' });
    expect(plan('Tell me a joke')).toBeNull();
  });

  it('answers an ambiguous title with the candidates and a question back', () => {
    const task = (title: string) => ({ id: title, title, notes: '', dueAt: null, completed: false, completedAt: null, createdAt: '', updatedAt: '' });
    const answer = writeOfflineAnswer('mark report as done', 'toggle_task_completion', {
      data: { ambiguous: true, query: 'report', candidates: [task('Sales report'), task('Cost report')] }, summary: 'x',
    });
    expect(answer).toContain('Several of your tasks match “report”');
    expect(answer).toContain('- "Sales report"');
    expect(answer).toContain('- "Cost report"');
    expect(answer).toContain('Which one do you mean?');
  });
});
