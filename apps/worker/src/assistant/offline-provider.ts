// The built-in assistant used when no LLM key is configured: a deterministic planner maps the
// question to one tool, and the answer is written from the tool's result, streamed word by word.
import { setTimeout as sleep } from 'node:timers/promises';
import { planInConversation, writeOfflineAnswer } from '@tandem/tools';
import type { AssistantProvider } from './provider.ts';
import { historyBudgetOf } from './context-budget.ts';
import { describeMetricRange, metricRefToolArgs } from './metric-ref-answer.ts';

/** Questions a chart range answers; one planned for sales, stock or tasks is asked of those instead. */
const RANGE_TOOLS = new Set(['query_agent_metrics', 'list_agents']);

/** Without `summarise`, its conversations past the history budget get the extractive summary. */
export function createOfflineProvider(opts: { wordDelayMs?: number; historyTokens?: number } = {}): AssistantProvider {
  const delay = opts.wordDelayMs ?? 12;
  return {
    name: 'offline',
    offline: true,
    historyTokens: historyBudgetOf(null, opts.historyTokens),
    async answer({ question, history, metricRef }, sink) {
      // Earlier questions give follow-ups their meaning ("and for Toys?").
      const plan = planInConversation(question, history.filter((m) => m.role === 'user').map((m) => m.content));
      let answer: string;
      if (metricRef && (!plan || RANGE_TOOLS.has(plan.tool))) {
        // "What happened here?" about an attached range: that agent, metric and range, whatever the words say.
        const outcome = await sink.callTool('query_agent_metrics', metricRefToolArgs(metricRef));
        answer = outcome.ok && outcome.result
          ? describeMetricRange(metricRef, outcome.result)
          : `I could not run \`query_agent_metrics\`: ${outcome.error ?? 'unknown error'}.`;
      } else if (plan) {
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
