// Every job kind: queue, payload schema, retry policy. The worker registers a handler per name.
import type { z } from 'zod';
import { pingJob } from '@tandem/schema';

export const jobDefinitions = {
  ping: { queue: 'system', payload: pingJob, attempts: 1 },
} as const;

export type JobName = keyof typeof jobDefinitions;
export type JobPayload<N extends JobName> = z.infer<(typeof jobDefinitions)[N]['payload']>;
export const queueNames = [...new Set(Object.values(jobDefinitions).map((d) => d.queue))];
