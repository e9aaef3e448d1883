// Payloads of every BullMQ job; the worker re-validates them before running.
import { z } from 'zod';

export const pingJob = z.object({
  nonce: z.string().max(100),
  /** Simulated work, for drain and failover tests. */
  workMs: z.number().int().min(0).max(60_000).default(0),
});
export type PingJob = z.input<typeof pingJob>;

export const assistantRunJob = z.object({ runId: z.uuid() });

/** Periodic maintenance jobs carry no input: each run looks at the clock and the database. */
export const periodicJob = z.object({});

/** A retention sweep: every workspace (the daily job) or one, asked for by an admin (retention.run). */
export const retentionSweepJob = z.object({ workspaceId: z.uuid().optional(), actorId: z.uuid().optional() });

/** One delivery of an alert event to its rule's webhook; retried with backoff. */
export const alertWebhookJob = z.object({ workspaceId: z.uuid(), seq: z.number().int().positive() });
