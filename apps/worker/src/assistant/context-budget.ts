// How much of a conversation goes with a question: a token estimate, each model's history budget,
// and which of the earlier messages fit it and which are summarised (docs/architecture.md).
import type { ContextMessage } from '@tandem/core';

export const HISTORY_LIMITS = {
  /**
   * Most tokens of history (summary + earlier messages) per question, however large the model's
   * window: every tool round sends the history again, and each time it is paid for.
   */
  maxHistoryTokens: 16_000,
  /** History's share of the model's window; the rest is system prompt, tool schemas, question, tool results and answer. */
  windowShare: 0.25,
  /** Once history is over budget, the newest messages kept word for word take at most this share of it… */
  keepShare: 0.4,
  /** …and the summary of all older ones at most this share, so many more turns fit before the next summary. */
  summaryShare: 0.25,
  /** Tokens of messages one summary request reads (× budget): older messages are summarised in chunks of this. */
  chunkShare: 2,
  /** Each message's role and separators, beyond its text. */
  messageOverheadTokens: 4,
} as const;

/** Context windows in tokens, by model name prefix (list of 2025). */
const CONTEXT_WINDOWS: [prefix: string, tokens: number][] = [
  ['gpt-4.1', 1_047_576],
  ['gpt-4o', 128_000],
  ['gpt-5', 400_000],
  ['o3', 200_000],
  ['o4', 200_000],
  ['gemini-', 1_048_576],
];
/** A model we do not know (a local server, a new name): assume a small window; ASSISTANT_HISTORY_TOKENS overrides. */
const UNKNOWN_WINDOW = 8_192;

/** The model's context window in tokens (`models/gemini-…` and dated snapshots match their model). */
export function contextWindowOf(model: string): number {
  const name = model.replace(/^models\//, '');
  return CONTEXT_WINDOWS.find(([prefix]) => name.startsWith(prefix))?.[1] ?? UNKNOWN_WINDOW;
}

/** Tokens of history sent with one question to this model; `override` is ASSISTANT_HISTORY_TOKENS. */
export function historyBudgetOf(model: string | null, override?: number): number {
  if (override) return override;
  if (model === null) return HISTORY_LIMITS.maxHistoryTokens; // the offline assistant has no window
  return Math.min(HISTORY_LIMITS.maxHistoryTokens, Math.floor(contextWindowOf(model) * HISTORY_LIMITS.windowShare));
}

/**
 * A conservative estimate without the model's tokenizer: a token per 4 ASCII characters (English
 * text and JSON average about that) and one per other character (CJK, emoji, accented letters
 * take one or more), so text in other scripts is not undercounted fourfold.
 */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 128) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 4) + other;
}

export const messageTokens = (m: Pick<ContextMessage, 'content'>): number => estimateTokens(m.content) + HISTORY_LIMITS.messageOverheadTokens;

export const sumTokens = (messages: readonly Pick<ContextMessage, 'content'>[]): number => messages.reduce((n, m) => n + messageTokens(m), 0);

export interface HistoryPlan {
  /** The oldest messages, to be added to the summary (none while everything fits). */
  summarise: ContextMessage[];
  /** The newest messages, sent word for word. */
  keep: ContextMessage[];
}

/**
 * While the summary and the messages after it fit the budget, all are sent. Past it, the newest
 * messages that fill `keepShare` of the budget are kept, starting at a question (a reply is never
 * kept without the question it answers), and every older one is summarised.
 */
export function planHistory(summaryTokens: number, messages: readonly ContextMessage[], budget: number): HistoryPlan {
  if (summaryTokens + sumTokens(messages) <= budget) return { summarise: [], keep: [...messages] };
  // A summary too large for the budget (it is clipped before planning; this is a guard) leaves less room.
  const keepBudget = Math.min(Math.floor(budget * HISTORY_LIMITS.keepShare), budget - summaryTokens);
  let start = messages.length;
  let used = 0;
  while (start > 0 && used + messageTokens(messages[start - 1]!) <= keepBudget) {
    used += messageTokens(messages[start - 1]!);
    start--;
  }
  while (start < messages.length && messages[start]!.role === 'assistant') start++;
  return { summarise: messages.slice(0, start), keep: messages.slice(start) };
}

/** Messages in chunks of at most `maxTokens` each (a single larger message is a chunk of its own), oldest first. */
export function chunkMessages(messages: readonly ContextMessage[], maxTokens: number): ContextMessage[][] {
  const chunks: ContextMessage[][] = [];
  let current: ContextMessage[] = [];
  let used = 0;
  for (const m of messages) {
    const t = messageTokens(m);
    if (current.length && used + t > maxTokens) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(m);
    used += t;
  }
  if (current.length) chunks.push(current);
  return chunks;
}
