// One handler per job name; payloads are re-validated before a handler runs.
import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, UnrecoverableError, WaitingError, type Job } from 'bullmq';
import { jobDefinitions, type JobName, type JobPayload, type Runtime } from '@tandem/core';
import { createOfflineProvider } from './assistant/offline-provider.ts';
import { runAssistant } from './assistant/run-assistant.ts';
import type { AssistantProvider } from './assistant/provider.ts';

/** `signal` aborts when a shutdown drain runs out of time; handlers stop and the job is re-queued. */
type Handler<N extends JobName> = (
  payload: JobPayload<N>,
  ctx: { job: Job; token?: string; rt: Runtime; signal: AbortSignal },
) => Promise<unknown>;

let provider: AssistantProvider | undefined;
/** The configured provider; only the offline assistant exists so far (LLM providers: issue 3). */
function assistantProvider(rt: Runtime): AssistantProvider {
  if (!provider) {
    if (rt.config.LLM_PROVIDER !== 'offline')
      rt.log.warn({ provider: rt.config.LLM_PROVIDER }, 'LLM providers are not built yet; using the offline assistant');
    provider = createOfflineProvider({ wordDelayMs: rt.config.OFFLINE_WORD_DELAY_MS });
  }
  return provider;
}

export const handlers: { [N in JobName]: Handler<N> } = {
  /** Round-trips through the queue for /readyz and tests; `workMs` simulates a long run. */
  ping: async (payload, { signal }) => {
    if (payload.workMs) await sleep(payload.workMs, undefined, { signal });
    return { pong: payload.nonce, at: Date.now() };
  },
  'assistant.run': (payload, { job, token, rt, signal }) =>
    runAssistant(rt, assistantProvider(rt), payload.runId, { job, token, shutdownSignal: signal }),
};

export function makeProcessor(rt: Runtime) {
  return async (job: Job, token?: string): Promise<unknown> => {
    const name = job.name as JobName;
    const def = jobDefinitions[name];
    if (!def) throw new UnrecoverableError(`unknown job ${job.name}`);
    const parsed = def.payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid payload for ${name}: ${parsed.error.message}`);
    const signal = rt.queues.shutdownSignal;
    try {
      return await (handlers[name] as Handler<JobName>)(parsed.data, { job, token, rt, signal });
    } catch (err) {
      if (err instanceof DelayedError || !signal.aborted) throw err;
      // Drain timed out: hand the job back instead of failing it, so another worker runs it.
      await job.moveToWait(token);
      throw new WaitingError();
    }
  };
}
