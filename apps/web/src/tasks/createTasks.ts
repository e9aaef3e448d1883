// The caller's tasks in a workspace: task.list, kept current by task.events (changes from this
// page, the assistant or MCP alike); re-read whenever the stream (re)starts, so none is missed.
import { useQuery, useQueryClient } from '@tanstack/solid-query';
import { createEffect, on, type Accessor } from 'solid-js';
import { createSubscription } from '../createSubscription.ts';
import { trpc } from '../trpc.ts';
import { applyTaskEvent, sortTasks, type Task, type TaskEvent } from './taskList.ts';

export const tasksKey = (workspaceId: string) => ['task.list', workspaceId] as const;

export function createTasks(workspaceId: Accessor<string>, enabled: Accessor<boolean>) {
  const queryClient = useQueryClient();
  const query = useQuery(() => ({
    queryKey: tasksKey(workspaceId()),
    queryFn: async () => sortTasks(await trpc.task.list.query({ workspaceId: workspaceId(), filter: 'all' })),
    enabled: enabled() && !!workspaceId(),
  }));

  /** Applies a change the moment it is known (own mutations too, before their push arrives). */
  const apply = (event: TaskEvent) => {
    if (event.type === 'resync') return void queryClient.invalidateQueries({ queryKey: tasksKey(workspaceId()) });
    queryClient.setQueryData<Task[]>(tasksKey(workspaceId()), (list) => (list ? applyTaskEvent(list, event) : list));
  };

  const subscription = createSubscription<{ workspaceId: string }, TaskEvent>({
    input: () => (enabled() && workspaceId() ? { workspaceId: workspaceId() } : null),
    subscribe: (input, observer) => trpc.task.events.subscribe(input, observer),
    onData: apply,
  });
  // Changes made while the stream was down (or before it started) are read again.
  createEffect(on(subscription.state, (state, previous) => {
    if (state === 'live' && previous !== 'live') void queryClient.invalidateQueries({ queryKey: tasksKey(workspaceId()) });
  }));

  return { query, apply, live: () => subscription.state() === 'live', state: subscription.state };
}
