// One handler per job name; payloads are re-validated before a handler runs.
import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, UnrecoverableError, WaitingError, type Job } from 'bullmq';
import {
  DeliverySlots, deliverExportWebhook, deliverWebhook, ensureUpcomingMetricPartitions, evaluateAlertRules, expireMetricData, exportLinks, jobDefinitions,
  limiterStore, announceJobChange, dueTimeOf, refreshAgentStatuses, rollUpMetricSamples, runScheduledExport, sweepRetention,
  type JobName, type JobPayload, type Runtime,
} from '@tandem/core';
import { createOfflineProvider } from './assistant/offline-provider.ts';
import { historyBudgetOf } from './assistant/context-budget.ts';
import { runAssistant } from './assistant/run-assistant.ts';
import type { AssistantProvider } from './assistant/provider.ts';
import { exportRunHandler, exportsSweepHandler } from './export-jobs.ts';

/** `signal` aborts when a shutdown drain runs out of time; handlers stop and the job is re-queued. */
type Handler<N extends JobName> = (
  payload: JobPayload<N>,
  ctx: { job: Job; token?: string; rt: Runtime; provider: AssistantProvider; signal: AbortSignal; webhookSlots: DeliverySlots },
) => Promise<unknown>;

/** How soon a delivery waiting for one of its workspace's slots looks again. */
const SLOT_RECHECK_MS = 1000;

/**
 * Runs one webhook delivery (alert or scheduled export) in one of its workspace's slots, shared by
 * both kinds. A workspace whose deliveries already fill its slots waits (delayed, no attempt
 * spent), so a receiver that never answers holds a few of the queue's slots, not all of them.
 */
async function inDeliverySlot<T>(
  ctx: { job: Job; token?: string; rt: Runtime; webhookSlots: DeliverySlots },
  workspaceId: string,
  deliver: (attempt: { number: number; final: boolean }) => Promise<T>,
): Promise<T> {
  const { job, token, rt, webhookSlots } = ctx;
  if (!(await webhookSlots.take(workspaceId))) {
    await job.moveToDelayed(Date.now() + SLOT_RECHECK_MS, token);
    throw new DelayedError();
  }
  try {
    const number = job.attemptsMade + 1;
    return await deliver({ number, final: number >= jobDefinitions[job.name as 'alerts.webhook' | 'export.webhook'].attempts });
  } finally {
    await webhookSlots.release(workspaceId).catch((err: unknown) => rt.log.warn({ err }, 'webhook slot not given back; its lease ends it'));
  }
}

/**
 * A provider whose module (and SDK) is loaded at its first question: the OpenAI and Gemini SDKs
 * cost a worker about 40 MB of memory it should not pay for the provider it does not use, or
 * while it only runs exports and upkeep (bench export).
 */
function loadedOnFirstUse(name: string, model: string, historyTokensOverride: number | undefined, load: () => Promise<AssistantProvider>): AssistantProvider {
  let loading: Promise<AssistantProvider> | null = null;
  const provider = () => (loading ??= load());
  return {
    name,
    offline: false,
    historyTokens: historyBudgetOf(model, historyTokensOverride),
    answer: async (input, sink) => (await provider()).answer(input, sink),
    summarise: async (request, signal) => {
      const loaded = await provider();
      if (!loaded.summarise) throw new Error(`${name} cannot summarise`);
      return loaded.summarise(request, signal);
    },
  };
}

/** The configured provider: OpenAI, Gemini, or the offline assistant when no key is set. */
export function createAssistantProvider(rt: Runtime): AssistantProvider {
  const c = rt.config;
  const provider = c.LLM_PROVIDER === 'openai'
    ? loadedOnFirstUse('openai', c.OPENAI_MODEL, c.ASSISTANT_HISTORY_TOKENS, async () => (await import('./assistant/openai-provider.ts')).createOpenAiProvider(
      { apiKey: c.OPENAI_API_KEY, baseURL: c.OPENAI_BASE_URL, model: c.OPENAI_MODEL, historyTokens: c.ASSISTANT_HISTORY_TOKENS }))
    : c.LLM_PROVIDER === 'gemini'
      ? loadedOnFirstUse('gemini', c.GEMINI_MODEL, c.ASSISTANT_HISTORY_TOKENS, async () => (await import('./assistant/gemini-provider.ts')).createGeminiProvider(
        { apiKey: c.GEMINI_API_KEY!, baseUrl: c.GEMINI_BASE_URL, model: c.GEMINI_MODEL, historyTokens: c.ASSISTANT_HISTORY_TOKENS }))
      : createOfflineProvider({ wordDelayMs: c.OFFLINE_WORD_DELAY_MS, historyTokens: c.ASSISTANT_HISTORY_TOKENS });
  rt.log.info({ provider: provider.name, historyTokens: provider.historyTokens }, 'assistant provider');
  return provider;
}

export const handlers: { [N in JobName]: Handler<N> } = {
  /** Round-trips through the queue for /readyz and tests; `workMs` simulates a long run. */
  ping: async (payload, { signal }) => {
    if (payload.workMs) await sleep(payload.workMs, undefined, { signal });
    return { pong: payload.nonce, at: Date.now() };
  },
  'assistant.run': (payload, { job, token, rt, provider, signal }) =>
    runAssistant(rt, provider, payload.runId, { job, token, shutdownSignal: signal }),
  // Storage upkeep of agent metrics: each is safe to run twice or concurrently.
  'metrics.partitions': async (_p, { rt }) => ({ made: await ensureUpcomingMetricPartitions(rt.orm.em.fork()) }),
  'metrics.rollup': (_p, { rt }) => rollUpMetricSamples(rt.orm.em.fork()),
  'metrics.retention': (_p, { rt }) =>
    expireMetricData(rt.orm.em.fork(), { rawDays: rt.config.METRICS_RAW_RETENTION_DAYS, rollupDays: rt.config.METRICS_ROLLUP_RETENTION_DAYS }),
  /** Recomputes each agent's status; changes are announced on the bus. */
  'agents.status': async (_p, { rt }) => {
    const { agents, changes } = await refreshAgentStatuses(rt.orm.em.fork(), rt.bus);
    if (changes.length) rt.log.info({ changes }, 'agent status changed');
    return { agents, changed: changes.length };
  },
  'alerts.evaluate': (_p, { rt }) => evaluateAlertRules({ em: rt.orm.em.fork(), bus: rt.bus, queues: rt.queues, log: rt.log }),
  /** One delivery; BullMQ retries with backoff, and the last attempt records the failure. */
  'alerts.webhook': (payload, ctx) => inDeliverySlot(ctx, payload.workspaceId, (attempt) =>
    deliverWebhook(ctx.rt.orm.em.fork(), payload, attempt, { allowPrivate: ctx.rt.config.WEBHOOK_ALLOW_PRIVATE })
      .catch(async (err: unknown) => {
        if (attempt.final) await announceJobChange(ctx.rt.bus, payload.workspaceId, 'webhook').catch(() => undefined); // the Jobs page lists it
        throw err;
      })),
  'export.run': exportRunHandler,
  'exports.sweep': exportsSweepHandler,
  'export.scheduled': (payload, { rt, job }) =>
    runScheduledExport({ em: rt.orm.em.fork(), queues: rt.queues, bus: rt.bus }, payload.scheduleId, dueTimeOf(job)),
  /** A scheduled run's outcome to its schedule's webhook; each attempt's outcome refreshes the schedule list. */
  'export.webhook': (payload, ctx) => inDeliverySlot(ctx, payload.workspaceId, async (attempt) => {
    const { rt } = ctx;
    const refresh = () => announceJobChange(rt.bus, payload.workspaceId, 'schedule').catch(() => undefined);
    try {
      const result = await deliverExportWebhook(rt.orm.em.fork(), await exportLinks(rt.config), payload, attempt, { allowPrivate: rt.config.WEBHOOK_ALLOW_PRIVATE, publicUrl: rt.config.PUBLIC_URL });
      await refresh();
      return result;
    } catch (err) {
      await refresh();
      throw err;
    }
  }),
  /** Daily for every workspace (retention.run sweeps one in its request); idempotent, so a retry is safe. */
  'retention.sweep': async (payload, { rt }) => {
    const reports = await sweepRetention(rt.orm.em.fork(), {
      now: new Date(), defaultDays: rt.config.CONVERSATION_RETENTION_DAYS, graceDays: rt.config.RETENTION_GRACE_DAYS,
      workspaceId: payload.workspaceId, actorId: payload.actorId ?? null,
    });
    for (const r of reports) await announceJobChange(rt.bus, r.workspaceId, 'retention').catch(() => undefined);
    return reports;
  },
};

/** The processor of every queue of one worker; `provider` is built once per worker (worker.ts). */
export function makeProcessor(rt: Runtime, provider: AssistantProvider = createAssistantProvider(rt)) {
  const webhookSlots = new DeliverySlots(limiterStore({ redis: rt.redis, orm: rt.orm, prefix: rt.queues.target.prefix }));
  return async (job: Job, token?: string): Promise<unknown> => {
    const name = job.name as JobName;
    const def = jobDefinitions[name];
    if (!def) throw new UnrecoverableError(`unknown job ${job.name}`);
    const parsed = def.payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid payload for ${name}: ${parsed.error.message}`);
    const signal = rt.queues.shutdownSignal;
    try {
      return await (handlers[name] as Handler<JobName>)(parsed.data, { job, token, rt, provider, signal, webhookSlots });
    } catch (err) {
      if (err instanceof DelayedError || !signal.aborted) throw err;
      // Drain timed out: hand the job back instead of failing it, so another worker runs it.
      await job.moveToWait(token);
      throw new WaitingError();
    }
  };
}
