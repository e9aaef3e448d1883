// Payloads of every BullMQ job; the worker re-validates them before running.
import { z } from 'zod';

export const pingJob = z.object({
  nonce: z.string().max(100),
  /** Simulated work, for drain and failover tests. */
  workMs: z.number().int().min(0).max(60_000).default(0),
});
export type PingJob = z.input<typeof pingJob>;

export const assistantRunJob = z.object({ runId: z.uuid() });
