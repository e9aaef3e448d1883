// The built-in assistant used when no LLM key is configured: a deterministic planner maps the
// question to one tool, and the answer is written from the tool's result, streamed word by word.
import { setTimeout as sleep } from 'node:timers/promises';
import { planInConversation, writeOfflineAnswer } from '@tandem/tools';
import type { AssistantProvider } from './provider.ts';
import { historyBudgetOf } from './context-budget.ts';

/** Without `summarise`, its conversations past the history budget get the extractive summary. */
export function createOfflineProvider(opts: { wordDelayMs?: number; historyTokens?: number } = {}): AssistantProvider {
  const delay = opts.wordDelayMs ?? 12;
  return {
    name: 'offline',
    offline: true,
    historyTokens: historyBudgetOf(null, opts.historyTokens),
    async answer({ question, history }, sink) {
      // Earlier questions give follow-ups their meaning ("and for Toys?").
      const plan = planInConversation(question, history.filter((m) => m.role === 'user').map((m) => m.content));
      let answer: string;
      if (plan) {
        const outcome = await sink.callTool(plan.tool, plan.args);
        answer = outcome.ok && outcome.result
          ? writeOfflineAnswer(question, plan.tool, outcome.result)
          : `I could not run \`${plan.tool}\`: ${outcome.error ?? 'unknown error'}.`;
      } else {
        answer = writeOfflineAnswer(question, null, null);
      }
      for (const word of answer.match(/\S+\s*/g) ?? []) {
        sink.signal.throwIfAborted();
        sink.text(word);
        if (delay) await sleep(delay, undefined, { signal: sink.signal });
      }
      return { tokens: null, costUsd: 0 };
    },
  };
}
