// The extractive summary keeps questions and figures verbatim and stays within its size; fitHistory
// summarises only what does not fit, extends the stored summary, and falls back when the model fails.
import { describe, expect, it } from 'vitest';
import type { ContextMessage, StoredSummary } from '@tandem/core';
import { HISTORY_LIMITS, estimateTokens, sumTokens } from './context-budget.ts';
import { clipSummary, extractMessage, extractiveSummary } from './extractive-summary.ts';
import { addUsage, fitHistory } from './conversation-summary.ts';
import { ProviderError, type AssistantProvider } from './provider.ts';

const salesAnswer = [
  'Sales, Jan 2026 – Jun 2026: **$48,210.50** revenue from 1,204 units in 388 orders.',
  '',
  '- Best month: **Mar 2026** ($9,870.00)',
  '- Weakest month: Jan 2026 ($6,120.25)',
  'Revenue was steady overall, with no surprises.',
  '| Category | Revenue |',
  '|---|---:|',
  '| Toys | $12,001 |',
].join('\n');

describe('extractive summary', () => {
  it('keeps the question, the headline and every line with a figure, verbatim, and drops prose without figures', () => {
    expect(extractMessage({ role: 'user', content: 'How were sales\nin the first half?' })).toBe('- Asked: How were sales in the first half?');
    const line = extractMessage({ role: 'assistant', content: salesAnswer })!;
    for (const figure of ['$48,210.50', '1,204 units', '388 orders', 'Mar 2026', '$9,870.00', '$6,120.25', '| Toys | $12,001 |'])
      expect(line).toContain(figure);
    expect(line).toContain('| Category | Revenue |'); // the header names the figures below it
    expect(line).not.toContain('no surprises');
    expect(line).not.toContain('**');
    expect(extractMessage({ role: 'assistant', content: '  ' })).toBeNull();
  });

  it('extends the summary so far and, over its size, drops the oldest lines without figures first, saying so', () => {
    const previous = ['- Asked: hello there, how are you', '- Answered: Revenue was $1,000 in May.'].join('\n');
    const extended = extractiveSummary(previous, [{ role: 'user', content: 'And June?' }, { role: 'assistant', content: 'June: $2,000.' }], 1000);
    expect(extended).toBe(`${previous}\n- Asked: And June?\n- Answered: June: $2,000.`);

    // 30 tokens: both questions (no figures) go; both figure lines stay.
    const clipped = clipSummary(extended, 30);
    expect(clipped.split('\n')).toEqual(['(Older points left out.)', '- Answered: Revenue was $1,000 in May.', '- Answered: June: $2,000.']);
    expect(estimateTokens(clipped)).toBeLessThanOrEqual(30);
    // Tighter still: the oldest figure line goes too.
    expect(clipSummary(extended, 25).split('\n')).toEqual(['(Older points left out.)', '- Answered: June: $2,000.']);
    // Clipping again never stacks notes.
    expect(clipSummary(clipped, 1000)).toBe(clipped);
  });
});

/** Short questions without figures and answers of about `tokens` tokens (a figure headline, then prose), seq from 1. */
function conversation(count: number, tokens: number): ContextMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    seq: i + 1,
    role: i % 2 ? 'assistant' : 'user',
    content: i % 2 ? `Answer ${i}: revenue $${1000 + i}.\n`.padEnd(tokens * 4, ' and so on') : 'And the month after?',
  }));
}

function providerWith(summarise?: AssistantProvider['summarise'], historyTokens = 2000): AssistantProvider {
  return { name: 'test', offline: false, historyTokens, answer: async () => ({ tokens: 0, costUsd: 0 }), summarise };
}

const deps = (stored: StoredSummary[], warnings: string[] = []) => ({
  store: async (s: StoredSummary) => void stored.push(s),
  signal: new AbortController().signal,
  log: { warn: (_obj: object, msg: string) => void warnings.push(msg) },
});

describe('fitHistory', () => {
  it('sends everything, with no summary request, while it fits', async () => {
    const stored: StoredSummary[] = [];
    let asked = 0;
    const fitted = await fitHistory(providerWith(async () => ((asked += 1), { text: 'x', usage: {}, writtenBy: 'm' })), { summary: null, messages: conversation(10, 50) }, deps(stored));
    expect(fitted).toEqual({ input: { history: conversation(10, 50).map(({ role, content }) => ({ role, content })), summary: null }, summarisedNow: 0, usage: { tokens: null, costUsd: null } });
    expect(asked).toBe(0);
    expect(stored).toEqual([]);
  });

  it('past the budget, asks the model once for the older messages, stores the summary and sends it with the newest', async () => {
    const stored: StoredSummary[] = [];
    const requests: Parameters<NonNullable<AssistantProvider['summarise']>>[0][] = [];
    const provider = providerWith(async (request) => {
      requests.push(request);
      return { text: '- Revenue figures $1001 … $1061', usage: { tokens: 900, costUsd: 0.001 }, writtenBy: 'test:model' };
    });
    const messages = conversation(100, 50);
    expect(sumTokens(messages)).toBeGreaterThan(2000);
    const fitted = await fitHistory(provider, { summary: null, messages }, deps(stored));

    expect(requests).toHaveLength(1);
    expect(requests[0]!.maxTokens).toBe(2000 * HISTORY_LIMITS.summaryShare);
    const summarised = 100 - fitted.input.history.length;
    expect(requests[0]!.messages).toEqual(messages.slice(0, summarised).map(({ role, content }) => ({ role, content })));
    expect(fitted.input.history[0]!.role).toBe('user');
    expect(fitted.input.summary).toEqual({ text: '- Revenue figures $1001 … $1061', messages: summarised });
    expect(sumTokens(fitted.input.history) + estimateTokens(fitted.input.summary!.text)).toBeLessThanOrEqual(2000);
    expect(stored).toEqual([{ content: '- Revenue figures $1001 … $1061', coversThroughSeq: summarised, coveredMessages: summarised, tokens: estimateTokens('- Revenue figures $1001 … $1061'), writtenBy: 'test:model' }]);
    expect(fitted).toMatchObject({ summarisedNow: summarised, usage: { tokens: 900, costUsd: 0.001 } });
  });

  it('reuses a stored summary that still fits, and extends it (not rewrites it) once the newer messages outgrow the budget', async () => {
    const summary: StoredSummary = { content: '- Asked: Question 0? - Answered: $1001', coversThroughSeq: 40, coveredMessages: 40, tokens: 12, writtenBy: 'extractive' };
    const reused = await fitHistory(providerWith(), { summary, messages: conversation(50, 50).slice(40) }, deps([]));
    expect(reused).toMatchObject({ summarisedNow: 0, input: { summary: { text: summary.content, messages: 40 } } });

    const stored: StoredSummary[] = [];
    const extended = await fitHistory(providerWith(undefined, 4000), { summary, messages: conversation(200, 50).slice(40) }, deps(stored));
    expect(extended.summarisedNow).toBeGreaterThan(0);
    expect(stored[0]!.content).toContain(summary.content);
    expect(stored[0]!.content).toContain('$1041'); // the first reply after the old summary, figure kept
    expect(stored[0]).toMatchObject({ coveredMessages: 40 + extended.summarisedNow, coversThroughSeq: 40 + extended.summarisedNow, writtenBy: 'extractive' });
  });

  it('uses the extractive summary when the model request fails, and still counts what it cost', async () => {
    const stored: StoredSummary[] = [];
    const warnings: string[] = [];
    const provider = providerWith(async () => { throw new ProviderError('OpenAI is unavailable right now (HTTP 503)', { tokens: 0, costUsd: 0 }); });
    const fitted = await fitHistory(provider, { summary: null, messages: conversation(100, 50) }, deps(stored, warnings));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.writtenBy).toBe('extractive');
    expect(stored[0]!.content).toContain('- Answered: Answer 1: revenue $1001.');
    expect(stored[0]!.content).not.toContain('and so on');
    expect(fitted.usage).toEqual({ tokens: 0, costUsd: 0 });
    expect(warnings).toEqual(['summary request failed; using the extractive summary']);
  });

  it('stops when the run is aborted during the summary request', async () => {
    const controller = new AbortController();
    const provider = providerWith(async () => {
      controller.abort(new Error('cancelled'));
      throw new Error('aborted');
    });
    await expect(fitHistory(provider, { summary: null, messages: conversation(100, 50) }, { ...deps([]), signal: controller.signal })).rejects.toThrow('cancelled');
  });
});

describe('addUsage', () => {
  it('adds what is known and stays null only when neither is', () => {
    expect(addUsage({ tokens: 5, costUsd: null }, { tokens: null, costUsd: null })).toEqual({ tokens: 5, costUsd: null });
    expect(addUsage({ tokens: 5, costUsd: 0.1 }, { tokens: 7, costUsd: 0.2 })).toEqual({ tokens: 12, costUsd: 0.30000000000000004 });
    expect(addUsage({}, {})).toEqual({ tokens: null, costUsd: null });
  });
});
