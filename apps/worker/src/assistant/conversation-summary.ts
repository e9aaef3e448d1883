// Fits a run's conversation to its model's history budget: everything while it fits; past it, the
// oldest messages are added to the conversation's stored summary once, and later runs reuse it.
import type { RunContext, StoredSummary } from '@tandem/core';
import { HISTORY_LIMITS, chunkMessages, estimateTokens, planHistory } from './context-budget.ts';
import { EXTRACTIVE, clipSummary, extractiveSummary } from './extractive-summary.ts';
import { ProviderError, type AssistantProvider, type ProviderInput, type ProviderUsage } from './provider.ts';

export interface FittedHistory {
  input: Required<Pick<ProviderInput, 'history' | 'summary'>>;
  /** Messages added to the summary during this run (0: the stored one was reused, or none was needed). */
  summarisedNow: number;
  /** What the summary requests cost (tokens null when none was made). */
  usage: ProviderUsage;
}

export interface SummaryDeps {
  /** Stores an extended summary (storeSummary), so later runs reuse it. */
  store(summary: StoredSummary): Promise<unknown>;
  signal: AbortSignal;
  log: { warn(obj: object, msg: string): void };
}

/** Two usages added; null stays null only when both are. */
export function addUsage(a: ProviderUsage, b: ProviderUsage): ProviderUsage {
  const add = (x: number | null | undefined, y: number | null | undefined) => (x == null && y == null ? null : (x ?? 0) + (y ?? 0));
  return { tokens: add(a.tokens, b.tokens), costUsd: add(a.costUsd, b.costUsd) };
}

export async function fitHistory(provider: AssistantProvider, context: RunContext, deps: SummaryDeps): Promise<FittedHistory> {
  const budget = provider.historyTokens;
  const maxSummaryTokens = Math.max(1, Math.floor(budget * HISTORY_LIMITS.summaryShare));
  let summary = context.summary;
  // A summary stored under a larger budget (the variable or the model changed) is cut to this one's.
  let summaryText = summary ? clipSummary(summary.content, maxSummaryTokens) : null;
  const plan = planHistory(summaryText ? estimateTokens(summaryText) : 0, context.messages, budget);
  let usage: ProviderUsage = { tokens: null, costUsd: null };

  // Each chunk is one summary request the model can read whole; each result is stored at once, so
  // a run that times out mid-way leaves what it summarised for the next one.
  for (const chunk of chunkMessages(plan.summarise, budget * HISTORY_LIMITS.chunkShare)) {
    const request = { previous: summaryText, messages: chunk.map((m) => ({ role: m.role, content: m.content })), maxTokens: maxSummaryTokens };
    let written: { text: string; writtenBy: string } | null = null;
    if (provider.summarise) {
      try {
        const result = await provider.summarise(request, deps.signal);
        usage = addUsage(usage, result.usage);
        if (result.text.trim()) written = { text: result.text.trim(), writtenBy: result.writtenBy };
      } catch (err) {
        deps.signal.throwIfAborted();
        if (err instanceof ProviderError) usage = addUsage(usage, err.usage);
        // The question is still answered: the extractive summary stands in for the model's.
        deps.log.warn({ err: (err as Error).message }, 'summary request failed; using the extractive summary');
      }
    }
    written ??= { text: extractiveSummary(summaryText, request.messages, maxSummaryTokens), writtenBy: EXTRACTIVE };
    summaryText = clipSummary(written.text, maxSummaryTokens);
    summary = {
      content: summaryText,
      coversThroughSeq: chunk.at(-1)!.seq,
      coveredMessages: (summary?.coveredMessages ?? 0) + chunk.length,
      tokens: estimateTokens(summaryText),
      writtenBy: written.writtenBy,
    };
    await deps.store(summary);
  }

  return {
    input: {
      history: plan.keep.map((m) => ({ role: m.role, content: m.content })),
      summary: summary && summaryText ? { text: summaryText, messages: summary.coveredMessages } : null,
    },
    summarisedNow: plan.summarise.length,
    usage,
  };
}
