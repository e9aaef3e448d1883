// One assistant run, end to end: claim the run, let the provider answer with tools, flush text
// every FLUSH_MS as sequenced deltas, and finalise exactly once (completed, timeout, failed).
import { randomUUID } from 'node:crypto';
import { DelayedError, type Job } from 'bullmq';
import { appendRunOutput, finishRun, startRun, type Runtime } from '@tandem/core';
import type { ConversationEvent } from '@tandem/schema';
import { runTool } from '@tandem/tools';
import type { AssistantProvider, ToolCallOutcome } from './provider.ts';

export const FLUSH_MS = 150;
/** How long a run waits before re-checking when an earlier question in its conversation is still running. */
export const QUEUE_RECHECK_MS = 300;

class Cancelled extends Error {}

export async function runAssistant(
  rt: Runtime,
  provider: AssistantProvider,
  runId: string,
  opts: { job: Job; token?: string; shutdownSignal: AbortSignal },
): Promise<{ outcome: string }> {
  const deps = { em: rt.orm.em.fork(), bus: rt.bus };
  const started = await startRun(deps, runId);
  if (started.state === 'gone') return { outcome: 'nothing to do' };
  if (started.state === 'wait') {
    await opts.job.moveToDelayed(Date.now() + QUEUE_RECHECK_MS, opts.token);
    throw new DelayedError();
  }
  const { run, replyMessageId } = started;
  const startedAt = Date.now();
  const stop = new AbortController();
  const signal = AbortSignal.any([stop.signal, opts.shutdownSignal, AbortSignal.timeout(rt.config.ASSISTANT_TIMEOUT_MS)]);

  let buffered = '';
  let toolEvents: ConversationEvent[] = [];
  let flushing: Promise<void> = Promise.resolve();
  const flush = () => {
    flushing = flushing.then(async () => {
      if (!buffered && !toolEvents.length) return;
      const [text, extra] = [buffered, toolEvents];
      buffered = '';
      toolEvents = [];
      const stillRunning = await appendRunOutput({ em: rt.orm.em.fork(), bus: rt.bus }, run, replyMessageId, text, extra);
      if (!stillRunning) stop.abort(new Cancelled('run is no longer running'));
    });
    return flushing;
  };
  const timer = setInterval(() => void flush(), FLUSH_MS);

  const ctx = { em: rt.orm.em.fork(), workspaceId: run.workspaceId, userId: run.createdBy, signal };
  try {
    const usage = await provider.answer(
      { question: started.question, history: started.history },
      {
        signal,
        text: (chunk) => void (buffered += chunk),
        callTool: async (name, args): Promise<ToolCallOutcome> => {
          const callId = randomUUID();
          const t0 = Date.now();
          toolEvents.push({ type: 'tool.started', runId, callId, name, args });
          await flush();
          const outcome = await runTool(name, args, ctx);
          toolEvents.push({
            type: 'tool.finished', runId, callId, name, args, latencyMs: Date.now() - t0,
            ...(outcome.ok ? { result: outcome.result.data, chart: outcome.result.chart } : { error: outcome.error }),
          });
          await flush();
          return outcome.ok ? { ok: true, result: outcome.result } : { ok: false, error: outcome.error };
        },
      },
    );
    clearInterval(timer);
    await flush();
    await finishRun(deps, runId, { status: 'completed', tokens: usage.tokens, costUsd: usage.costUsd, latencyMs: Date.now() - startedAt });
    return { outcome: 'completed' };
  } catch (err) {
    clearInterval(timer);
    await flush().catch(() => undefined);
    if (stop.signal.aborted) return { outcome: 'cancelled' };
    if (opts.shutdownSignal.aborted) throw err; // the processor hands the job back
    if (signal.aborted) {
      const seconds = Math.round(rt.config.ASSISTANT_TIMEOUT_MS / 1000);
      await finishRun(deps, runId, { status: 'timeout', reason: `The assistant took longer than ${seconds} s`, latencyMs: Date.now() - startedAt });
      return { outcome: 'timeout' };
    }
    const lastAttempt = opts.job.attemptsMade + 1 >= (opts.job.opts.attempts ?? 1);
    if (lastAttempt)
      await finishRun(deps, runId, { status: 'failed', reason: (err as Error).message, latencyMs: Date.now() - startedAt });
    throw err;
  }
}
