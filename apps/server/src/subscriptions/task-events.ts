// task.events: the caller's own task changes as they happen, from the bus, written straight to the
// socket (direct-stream.ts). The page reads task.list first; a `resync` (the bus may have lost
// messages) means read it again.
import { taskChannel, type Runtime, type TaskScope } from '@tandem/core';
import type { TaskEvent } from '@tandem/schema';
import { busMessages } from './direct-stream.ts';

export const taskEvents = (rt: Runtime, scope: TaskScope, signal: AbortSignal): AsyncGenerator<TaskEvent> =>
  busMessages<TaskEvent>(rt.bus, taskChannel(scope), signal, { onGap: { type: 'resync' } });
