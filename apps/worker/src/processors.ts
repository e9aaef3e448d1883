// One handler per job name; payloads are re-validated before a handler runs.
import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, UnrecoverableError, WaitingError, type Job } from 'bullmq';
import { jobDefinitions, type JobName, type JobPayload, type Runtime } from '@tandem/core';
import { createOfflineProvider } from './assistant/offline-provider.ts';
import { createOpenAiProvider } from './assistant/openai-provider.ts';
import { createGeminiProvider } from './assistant/gemini-provider.ts';
import { runAssistant } from './assistant/run-assistant.ts';
import type { AssistantProvider } from './assistant/provider.ts';
import { applyMetricsRetention, ensurePartitions, rollUpMetrics } from './jobs/metrics-maintenance.ts';
import { updateAgentStatuses } from './jobs/agent-status.ts';
import { deliverAlertWebhook, evaluateAlerts } from './jobs/alerts.ts';

/** `signal` aborts when a shutdown drain runs out of time; handlers stop and the job is re-queued. */
type Handler<N extends JobName> = (
  payload: JobPayload<N>,
  ctx: { job: Job; token?: string; rt: Runtime; signal: AbortSignal },
) => Promise<unknown>;

/** One provider per configuration (tests run several runtimes in one process). */
const providers = new WeakMap<Runtime['config'], AssistantProvider>();
/** The configured provider: OpenAI, Gemini, or the offline assistant when no key is set. */
function assistantProvider(rt: Runtime): AssistantProvider {
  let provider = providers.get(rt.config);
  if (!provider) {
    const c = rt.config;
    provider = c.LLM_PROVIDER === 'openai'
      ? createOpenAiProvider({ apiKey: c.OPENAI_API_KEY, baseURL: c.OPENAI_BASE_URL, model: c.OPENAI_MODEL })
      : c.LLM_PROVIDER === 'gemini'
        ? createGeminiProvider({ apiKey: c.GEMINI_API_KEY!, baseUrl: c.GEMINI_BASE_URL, model: c.GEMINI_MODEL })
        : createOfflineProvider({ wordDelayMs: c.OFFLINE_WORD_DELAY_MS });
    rt.log.info({ provider: provider.name }, 'assistant provider');
    providers.set(rt.config, provider);
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
  'metrics.partitions': (_p, { rt }) => ensurePartitions(rt),
  'metrics.rollup': (_p, { rt }) => rollUpMetrics(rt),
  'metrics.retention': (_p, { rt }) => applyMetricsRetention(rt),
  'agents.status': (_p, { rt }) => updateAgentStatuses(rt),
  'alerts.evaluate': (_p, { rt }) => evaluateAlerts(rt),
  'alerts.webhook': (payload, { rt, job }) => deliverAlertWebhook(rt, payload, job.attemptsMade + 1),
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
