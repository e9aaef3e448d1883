// Payloads of every BullMQ job; the worker re-validates them before running.
import { z } from 'zod';

export const pingJob = z.object({ nonce: z.string().max(100) });
export type PingJob = z.infer<typeof pingJob>;
