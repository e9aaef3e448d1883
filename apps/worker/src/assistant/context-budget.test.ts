// The history budget: token estimates, each model's budget, which messages are kept and which are
// summarised, and summary chunks.
import { describe, expect, it } from 'vitest';
import type { ContextMessage } from '@tandem/core';
import { HISTORY_LIMITS, chunkMessages, contextWindowOf, estimateTokens, historyBudgetOf, messageTokens, planHistory, sumTokens } from './context-budget.ts';

/** Message `seq` with `tokens` estimated tokens (overhead included). */
function msg(seq: number, tokens: number, role: ContextMessage['role'] = seq % 2 ? 'user' : 'assistant'): ContextMessage {
  return { seq, role, content: 'x'.repeat((tokens - HISTORY_LIMITS.messageOverheadTokens) * 4) };
}

describe('estimateTokens', () => {
  it('counts a token per 4 ASCII characters and one per other character', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('abcde')).toBe(2);
    expect(estimateTokens('売上は12%増')).toBe(4 + 1); // 4 CJK characters; "12%" rounds up to one
    expect(estimateTokens('😀')).toBe(1);
    expect(messageTokens({ content: 'abcd' })).toBe(1 + HISTORY_LIMITS.messageOverheadTokens);
  });
});

describe('historyBudgetOf', () => {
  it('gives known models a quarter of their window up to the cap, unknown models a small one, and obeys the override', () => {
    expect(contextWindowOf('gpt-4o-mini-2024-07-18')).toBe(128_000);
    expect(contextWindowOf('models/gemini-2.0-flash')).toBe(1_048_576);
    expect(historyBudgetOf('gpt-4o-mini')).toBe(16_000);
    expect(historyBudgetOf('gemini-2.5-pro')).toBe(16_000);
    expect(historyBudgetOf('llama3.1:8b')).toBe(2_048);
    expect(historyBudgetOf(null)).toBe(16_000);
    expect(historyBudgetOf('llama3.1:8b', 30_000)).toBe(30_000);
  });
});

describe('planHistory', () => {
  it('sends everything while the summary and the messages fit', () => {
    const messages = [msg(1, 100), msg(2, 100), msg(3, 100)];
    expect(planHistory(700, messages, 1000)).toEqual({ summarise: [], keep: messages });
  });

  it('past the budget keeps the newest messages that fill its keep share, from a question on, and summarises every older one', () => {
    const messages = Array.from({ length: 20 }, (_, i) => msg(i + 1, 80));
    const plan = planHistory(0, messages, 1000);
    // 5 messages fill the keep share (400); the oldest of them, seq 16, is a reply, so it goes too.
    expect(plan.keep.map((m) => m.seq)).toEqual([17, 18, 19, 20]);
    expect(plan.summarise.map((m) => m.seq)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(sumTokens(plan.keep)).toBeLessThanOrEqual(1000 * HISTORY_LIMITS.keepShare);
  });

  it('counts the stored summary against the budget', () => {
    const messages = [msg(1, 100), msg(2, 100), msg(3, 100), msg(4, 100)];
    expect(planHistory(600, messages, 1000).summarise).toEqual([]);
    expect(planHistory(601, messages, 1000).summarise.map((m) => m.seq)).toEqual([1, 2]);
  });

  it('summarises a single message larger than the budget rather than dropping it', () => {
    const messages = [msg(1, 50), msg(2, 5000), msg(3, 50)];
    expect(planHistory(0, messages, 1000)).toEqual({ summarise: [messages[0], messages[1]], keep: [messages[2]] });
  });
});

describe('chunkMessages', () => {
  it('cuts at the token limit, in order, and gives an oversized message a chunk of its own', () => {
    const messages = [msg(1, 40), msg(2, 40), msg(3, 40), msg(4, 500), msg(5, 40)];
    expect(chunkMessages(messages, 100).map((c) => c.map((m) => m.seq))).toEqual([[1, 2], [3], [4], [5]]);
    expect(chunkMessages([], 100)).toEqual([]);
  });
});
