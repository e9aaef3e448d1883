// One assistant run, end to end: claim the run, let the provider answer with tools, flush text
// every FLUSH_MS as sequenced deltas, and finalise exactly once (completed, timeout, failed).
import { randomUUID } from 'node:crypto';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { ToolCallKeys, announceJobChange, auditToolCall, finishRun, isDatabaseUnavailable, retryWhileDatabaseUnavailable, startRun, storeSummary, type Runtime } from '@tandem/core';
import { runToolInRun } from '@tandem/tools';
import { ProviderError, type AssistantProvider, type ProviderUsage, type ToolCallOutcome } from './provider.ts';
import { ReplyOutput } from './reply-output.ts';
import { addUsage, fitHistory } from './conversation-summary.ts';

export const FLUSH_MS = 150;
/** How long a run waits before re-checking when an earlier question in its conversation is still running. */
export const QUEUE_RECHECK_MS = 300;
/**
 * How long a run waits for an unavailable database (keeping its output) before it gives up: an
 * outage this short is waited out without losing or doubling text.
 */
export const DATABASE_RETRY_MS = 60_000;

class Cancelled extends Error {}

export async function runAssistant(
  rt: Runtime,
  provider: AssistantProvider,
  runId: string,
  opts: { job: Job; token?: string; shutdownSignal: AbortSignal },
): Promise<{ outcome: string }> {
  const deps = { em: rt.orm.em.fork(), bus: rt.bus };
  // startRun and finishRun check the run's status under its row lock, so repeating one whose
  // connection broke mid-commit is safe: the repeat sees what the first attempt did.
  const whileDatabaseDown = <T>(fn: () => Promise<T>) =>
    retryWhileDatabaseUnavailable(fn, {
      windowMs: DATABASE_RETRY_MS,
      signal: opts.shutdownSignal,
      onRetry: (err) => rt.log.warn({ runId, err: (err as Error).message }, 'database unavailable; retrying'),
    });
  const started = await whileDatabaseDown(() => startRun(deps, runId));
  if (started.state === 'gone') return { outcome: 'nothing to do' };
  if (started.state === 'wait') {
    await opts.job.moveToDelayed(Date.now() + QUEUE_RECHECK_MS, opts.token);
    throw new DelayedError();
  }
  const { run, replyMessageId } = started;
  const startedAt = Date.now();
  const stop = new AbortController();
  // Kept in a variable read after the run: on Node 20 a timeout signal referenced only by
  // AbortSignal.any() is garbage-collected before it fires, and the run would never time out.
  const timeout = AbortSignal.timeout(rt.config.ASSISTANT_TIMEOUT_MS);
  const signal = AbortSignal.any([stop.signal, opts.shutdownSignal, timeout]);

  const output = new ReplyOutput(rt, run, replyMessageId, () => stop.abort(new Cancelled('run is no longer running')));
  // While the database is down the output stays buffered; any other write error ends the run.
  let lastWriteAt = 0;
  const flushSoon = () => {
    if (output.pending) lastWriteAt = Date.now();
    return output.flush().catch((err: unknown) => void (isDatabaseUnavailable(err) || stop.abort(err)));
  };
  const timer = setInterval(() => void flushSoon(), FLUSH_MS);
  /** Text after a quiet spell is written at once (the first token must not wait for a tick); more within FLUSH_MS waits for the timer. */
  const onText = (chunk: string) => {
    output.text(chunk);
    if (Date.now() - lastWriteAt >= FLUSH_MS) void flushSoon();
  };

  // The asker's identity: tools act for whoever asked, never for others in the conversation.
  const ctx = { em: rt.orm.em.fork(), workspaceId: run.workspaceId, userId: run.createdBy, signal, log: rt.log.child({ runId }), bus: rt.bus };
  /** Finished runs are also samples of the workspace's `tandem-assistant` agent (finishRun writes them). */
  const reportAs = { model: provider.name };
  /** Names this attempt's tool calls for the ledger: a retry that repeats a call meets its key. */
  const callKeys = new ToolCallKeys();
  /** What summarising the conversation's older messages cost this run (added to the answer's usage). */
  let summaryUsage: ProviderUsage = { tokens: null, costUsd: null };
  try {
    const scope = { workspaceId: run.workspaceId, conversationId: run.conversationId };
    const fitted = await fitHistory(provider, started.context, {
      signal,
      log: ctx.log,
      store: (summary) => whileDatabaseDown(() => storeSummary(rt.orm.em.fork(), scope, summary)),
    });
    summaryUsage = fitted.usage;
    // The reply says when older messages reached the model only as a summary (a repeat of this event
    // after an unsure write changes nothing: clients keep one note per run).
    if (fitted.input.summary)
      output.event({ type: 'context.summarised', runId, messageId: replyMessageId, messages: fitted.input.summary.messages });
    const answered = await provider.answer(
      { question: started.question, metricRef: started.metricRef, ...fitted.input },
      {
        signal,
        text: onText,
        callTool: async (name, args): Promise<ToolCallOutcome> => {
          const callId = randomUUID();
          const t0 = Date.now();
          output.event({ type: 'tool.started', runId, callId, name, args });
          await flushSoon();
          const outcome = await runToolInRun(name, args, ctx, { runId, keys: callKeys });
          const call = { workspaceId: run.workspaceId, userId: run.createdBy, conversationId: run.conversationId, runId, tool: name, latencyMs: Date.now() - t0, ok: outcome.ok };
          await auditToolCall(rt.orm.em.fork(), call).catch((err: unknown) => rt.log.warn({ err, runId }, 'tool call not audited'));
          output.event({
            type: 'tool.finished', runId, callId, name, args, latencyMs: Date.now() - t0,
            ...(outcome.ok ? { result: outcome.result.data, chart: outcome.result.chart } : { error: outcome.error }),
          });
          await flushSoon();
          return outcome.ok ? { ok: true, result: outcome.result } : { ok: false, error: outcome.error };
        },
      },
    );
    const usage = addUsage(answered, summaryUsage);
    clearInterval(timer);
    if (stop.signal.aborted) throw stop.signal.reason;
    // The whole text is stored before the reply is marked complete, never a part of it.
    await whileDatabaseDown(() => output.flush());
    await whileDatabaseDown(() =>
      finishRun(deps, runId, { status: 'completed', tokens: usage.tokens, costUsd: usage.costUsd, latencyMs: Date.now() - startedAt, reportAs }, run));
    return { outcome: 'completed' };
  } catch (caught) {
    clearInterval(timer);
    const err: unknown = stop.signal.aborted ? stop.signal.reason : caught;
    if (err instanceof Cancelled) return { outcome: 'cancelled' };
    await whileDatabaseDown(() => output.flush()).catch(() => undefined);
    if (opts.shutdownSignal.aborted) throw err; // the processor hands the job back
    // What a provider spent before it stopped is still recorded (docs/reliability.md §21).
    const spent = addUsage(err instanceof ProviderError ? err.usage : {}, summaryUsage);
    if (timeout.aborted && !stop.signal.aborted) {
      const seconds = Math.round(rt.config.ASSISTANT_TIMEOUT_MS / 1000);
      await whileDatabaseDown(() =>
        finishRun(deps, runId, { status: 'timeout', reason: `The assistant took longer than ${seconds} s`, ...spent, latencyMs: Date.now() - startedAt, reportAs }, run));
      await announceJobChange(rt.bus, run.workspaceId, 'run').catch(() => undefined); // the Jobs page lists failed runs
      return { outcome: 'timeout' };
    }
    // A rejected key or unknown model fails the same way on every attempt: the run ends now.
    const permanent = err instanceof ProviderError && err.permanent;
    const lastAttempt = permanent || opts.job.attemptsMade + 1 >= (opts.job.opts.attempts ?? 1);
    if (lastAttempt) {
      await whileDatabaseDown(() =>
        finishRun(deps, runId, { status: 'failed', reason: (err as Error).message, ...spent, latencyMs: Date.now() - startedAt, reportAs }, run));
      await announceJobChange(rt.bus, run.workspaceId, 'run').catch(() => undefined);
    }
    throw permanent ? new UnrecoverableError((err as Error).message) : err;
  }
}
