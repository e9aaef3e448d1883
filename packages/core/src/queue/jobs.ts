// Every job kind: queue, payload schema, retry policy. The worker registers a handler per name.
import type { z } from 'zod';
import { assistantRunJob, pingJob } from '@tandem/schema';

export const jobDefinitions = {
  ping: { queue: 'system', payload: pingJob, attempts: 1 },
  /** One assistant reply; the job id derives from the run id, so a run is enqueued once. */
  'assistant.run': { queue: 'assistant', payload: assistantRunJob, attempts: 3 },
} as const;

export type JobName = keyof typeof jobDefinitions;
/** What a producer passes (defaults not yet applied). */
export type JobInput<N extends JobName> = z.input<(typeof jobDefinitions)[N]['payload']>;
/** What a handler receives (validated, defaults applied). */
export type JobPayload<N extends JobName> = z.output<(typeof jobDefinitions)[N]['payload']>;
export const queueNames = [...new Set(Object.values(jobDefinitions).map((d) => d.queue))];
