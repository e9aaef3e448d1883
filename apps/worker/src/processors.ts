// One handler per job name; payloads are re-validated before a handler runs.
import { UnrecoverableError, type Job } from 'bullmq';
import { jobDefinitions, type JobName, type JobPayload, type Runtime } from '@tandem/core';

type Handler<N extends JobName> = (payload: JobPayload<N>, job: Job, rt: Runtime) => Promise<unknown>;

export const handlers: { [N in JobName]: Handler<N> } = {
  /** Round-trips through the queue for /readyz and tests. */
  ping: async (payload) => ({ pong: payload.nonce, at: Date.now() }),
};

export function makeProcessor(rt: Runtime) {
  return async (job: Job): Promise<unknown> => {
    const name = job.name as JobName;
    const def = jobDefinitions[name];
    if (!def) throw new UnrecoverableError(`unknown job ${job.name}`);
    const parsed = def.payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid payload for ${name}: ${parsed.error.message}`);
    return (handlers[name] as Handler<JobName>)(parsed.data, job, rt);
  };
}
