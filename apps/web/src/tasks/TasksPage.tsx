// Tasks: the caller's own todo list in this workspace. Live: a task the assistant or an MCP
// client adds or changes appears without a reload. Viewers have no tasks.
import { useParams } from '@solidjs/router';
import { createSignal, For, Show } from 'solid-js';
import { EmptyState } from '../components/EmptyState.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { createWorkspaceAccess } from '../me.ts';
import { createTasks } from './createTasks.ts';
import { TaskForm } from './TaskForm.tsx';
import { TaskItem } from './TaskItem.tsx';
import { filterTasks, type TaskFilter } from './taskList.ts';

const FILTERS: { value: TaskFilter; label: string }[] = [
  { value: 'open', label: 'Open' },
  { value: 'done', label: 'Done' },
  { value: 'all', label: 'All' },
];

export function TasksPage() {
  const params = useParams();
  const workspaceId = () => params.workspaceId ?? '';
  const access = createWorkspaceAccess(workspaceId);
  const canHaveTasks = () => access.role() === 'admin' || access.role() === 'member';
  const tasks = createTasks(workspaceId, canHaveTasks);
  const [filter, setFilter] = createSignal<TaskFilter>('open');
  const shown = () => filterTasks(tasks.query.data ?? [], filter());
  const count = (f: TaskFilter) => filterTasks(tasks.query.data ?? [], f).length;

  return (
    <div class="page">
      <PageHeader title="Tasks" description="Your own todo list in this workspace. Ask the assistant too: “remind me to …”, “what’s on my list?”, “mark … as done”." />
      <Show
        when={canHaveTasks()}
        fallback={
          <EmptyState icon="lock" title="Viewers have no tasks" testId="tasks-forbidden">
            <p>Tasks belong to members. Ask an admin to make you a member to keep a list here.</p>
          </EmptyState>
        }
      >
        <TaskForm workspaceId={workspaceId()} onCreated={(task) => tasks.apply({ type: 'task.changed', task })} />
        <div class="tasks__bar">
          <div class="segmented" role="group" aria-label="Show tasks" data-testid="task-filter">
            <For each={FILTERS}>
              {(f) => (
                <button
                  type="button"
                  class="segmented__option"
                  classList={{ 'segmented__option--active': filter() === f.value }}
                  aria-pressed={filter() === f.value}
                  onClick={() => setFilter(f.value)}
                >
                  {f.label} <span class="muted">{count(f.value)}</span>
                </button>
              )}
            </For>
          </div>
          <span class="tasks__live muted" data-testid="tasks-live" data-state={tasks.state()}>
            {tasks.live() ? 'Live' : tasks.state() === 'reconnecting' ? 'Reconnecting…' : 'Connecting…'}
          </span>
        </div>
        <QueryState
          query={tasks.query}
          data={tasks.query.data ? shown() : undefined}
          loading="Loading your tasks…"
          errorTestId="tasks-error"
          empty={
            <EmptyState icon="jobs" title={filter() === 'done' ? 'Nothing done yet' : filter() === 'open' && count('all') ? 'All done' : 'No tasks yet'} testId="tasks-empty">
              <p>{filter() === 'done' ? 'Tasks you complete show here.' : 'Add one above, or ask the assistant in a session: “remind me to send the Q4 report on friday”.'}</p>
            </EmptyState>
          }
        >
          {(list) => (
            <ul class="card card--flush task-list" data-testid="task-list">
              <For each={list()}>{(task) => <TaskItem workspaceId={workspaceId()} task={task} apply={tasks.apply} />}</For>
            </ul>
          )}
        </QueryState>
      </Show>
    </div>
  );
}
