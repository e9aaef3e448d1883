// task.events: the caller's own task changes as they happen, from the bus. The page reads
// task.list first; a `resync` (the bus may have lost messages) means read it again.
import { taskChannel, type Runtime, type TaskScope } from '@tandem/core';
import type { TaskEvent } from '@tandem/schema';

export async function* taskEvents(rt: Runtime, scope: TaskScope, signal: AbortSignal): AsyncGenerator<TaskEvent> {
  const queue: TaskEvent[] = [];
  let wake: (() => void) | null = null;
  const push = (event: TaskEvent) => {
    queue.push(event);
    wake?.();
  };
  const unsubscribe = await rt.bus.subscribe(taskChannel(scope), (msg) => push(msg as TaskEvent), { onGap: () => push({ type: 'resync' }) });
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    while (!signal.aborted) {
      const event = queue.shift();
      if (event) {
        yield event;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (signal.aborted) resolve();
      });
      wake = null;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    unsubscribe();
  }
}
