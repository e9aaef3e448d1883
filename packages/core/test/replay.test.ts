// The pure parts of conversation.replay: merging a reply's deltas into steps, and finding the agents
// a session discussed in its events.
import { describe, expect, it } from 'vitest';
import type { ConversationEvent } from '@tandem/schema';
import { coalesceDeltas, mentionsOf, type ReplayEntry } from '../src/conversations/replay.ts';

const entry = (seq: number, at: number, event: unknown): ReplayEntry => ({ seq, at, event: event as ConversationEvent });
const delta = (messageId: string, text: string, replace?: boolean) => ({ type: 'message.delta', messageId, text, ...(replace ? { replace } : {}) });

describe('coalesceDeltas', () => {
  it("merges a message's consecutive deltas within a step, keeping the first one's seq and time", () => {
    const merged = coalesceDeltas([entry(1, 0, delta('m', 'a')), entry(2, 400, delta('m', 'b')), entry(3, 999, delta('m', 'c')), entry(4, 1000, delta('m', 'd'))]);
    expect(merged).toEqual([entry(1, 0, delta('m', 'abc')), entry(4, 1000, delta('m', 'd'))]);
  });

  it('never merges across another message, another event or a restart of the reply (replace)', () => {
    const input = [
      entry(1, 0, delta('m', 'a')), entry(2, 10, delta('n', 'x')), entry(3, 20, delta('m', 'b')),
      entry(4, 30, { type: 'tool.started', runId: 'r', callId: 'c', name: 't', args: {} }), entry(5, 40, delta('m', 'c')),
      entry(6, 50, delta('m', 'fresh', true)), entry(7, 60, delta('m', '!')),
    ];
    expect(coalesceDeltas(input)).toEqual([...input.slice(0, 6), entry(6, 50, delta('m', 'fresh!', true))].map((e, i) => (i === 5 ? entry(6, 50, delta('m', 'fresh', true)) : e)).slice(0, 5).concat([entry(6, 50, delta('m', 'fresh!', true))]));
  });
});

describe('mentionsOf', () => {
  const finished = (args: unknown, result: unknown, error?: string) =>
    ({ type: 'tool.finished', runId: 'r', callId: 'c', name: 'query_agent_metrics', args, result, latencyMs: 1, ...(error ? { error } : {}) });

  it("takes query_agent_metrics' agent argument and the agents its result covered, with the metric", () => {
    const mentions = mentionsOf([entry(1, 0, finished({ agent: 'checkout-bot', metric: 'cpu_pct' }, { metric: 'cpu_pct', agents: ['checkout-bot', 'search-bot'] }))]);
    expect(mentions).toEqual([
      { ref: 'checkout-bot', metric: 'cpu_pct' }, { ref: 'checkout-bot', metric: 'cpu_pct' }, { ref: 'search-bot', metric: 'cpu_pct' },
    ]);
  });

  it("takes a message's metricRef, and ignores failed calls, other tools, unknown metrics and messages without a ref", () => {
    const mentions = mentionsOf([
      entry(1, 0, finished({ agent: 'gone-bot' }, undefined, 'no agent "gone-bot"')),
      entry(2, 0, { ...finished({ agent: 'x' }, {}), name: 'list_agents' }),
      entry(3, 0, finished({ agent: 'odd-bot', metric: 'happiness' }, {})),
      entry(4, 0, { type: 'message.created', message: { id: 'm1', role: 'user', content: 'hi' } }),
      entry(5, 0, { type: 'message.created', message: { id: 'm2', role: 'alert', metricRef: { agentId: 'a-id', metric: 'error_rate', from: 1, to: 2 } } }),
    ]);
    expect(mentions).toEqual([{ ref: 'odd-bot', metric: undefined }, { ref: 'a-id', metric: 'error_rate' }]);
  });
});
