// A conversation's state through its events: messages in seq order without doubles, snapshot
// events skipped for texts but replayed for tool calls and runs, queue places, presence effects.
import type { MessageDto } from '@tandem/schema';
import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  isTracked,
  makeFeedState,
  prependEarlier,
  queuePositions,
  runsOfSnapshot,
  upsertMessage,
  type ConversationInfo,
  type FeedState,
} from './conversationState.ts';

function message(seq: number, over: Partial<MessageDto> = {}): MessageDto {
  return {
    id: `m${seq}`,
    conversationId: 'c1',
    seq,
    role: 'user',
    author: { id: 'u1', name: 'Ann Avery' },
    content: `message ${seq}`,
    status: 'complete',
    runId: null,
    tokens: null,
    costUsd: null,
    latencyMs: null,
    metricRef: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

const conversation = { id: 'c1', title: 'Quarterly review', archived: false, lastSeq: 10 } as unknown as ConversationInfo;

/** A state as a snapshot left it: the given messages, events up to seq 10 already in their texts. */
function stateWith(messages: MessageDto[]): FeedState {
  return { ...makeFeedState(), conversation: { ...conversation }, messages };
}
const ids = (state: Pick<FeedState, 'messages'>) => state.messages.map((m) => m.id);

describe('upsertMessage', () => {
  it('keeps messages in seq order whatever order they arrive in', () => {
    const list: MessageDto[] = [];
    for (const seq of [3, 1, 4, 2]) upsertMessage(list, message(seq));
    expect(list.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it('replaces a message it already has, in place, instead of adding it twice', () => {
    const list = [message(1), message(2), message(3)];
    upsertMessage(list, message(2, { content: 'edited' }));
    expect(list.map((m) => m.content)).toEqual(['message 1', 'edited', 'message 3']);
  });
});

describe('prependEarlier', () => {
  it('puts an older page in front and leaves out what is already loaded', () => {
    const merged = prependEarlier([message(3), message(4)], [message(1), message(2), message(3, { content: 'stale copy' })]);
    expect(ids({ messages: merged })).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(merged[2]?.content).toBe('message 3');
  });
});

describe('runsOfSnapshot', () => {
  it('counts a reply still streaming as a running run of its question', () => {
    const runs = runsOfSnapshot([
      message(1, { runId: 'r1' }),
      message(2, { role: 'assistant', author: null, status: 'streaming', runId: 'r1' }),
      message(3, { runId: 'r2' }),
      message(4, { role: 'assistant', author: null, status: 'complete', runId: 'r2' }),
    ]);
    expect(runs).toEqual({ r1: { status: 'running', questionMessageId: 'm1' } });
  });
});

describe('applyEvent', () => {
  it('adds replies completed after the snapshot to the cost meter, once, and not those already in its sums', () => {
    const state = { ...stateWith([message(1)]), usage: { asOfSeq: 10, tokens: 100, costUsd: 0.01 } };
    const completed = (messageId: string, tokens: number | null, costUsd: number | null) =>
      ({ type: 'message.completed', messageId, content: 'x', status: 'complete', tokens, costUsd, latencyMs: 5 }) as const;
    applyEvent(state, 9, completed('old', 50, 0.5), 10); // replayed history: already counted
    applyEvent(state, 11, completed('m2', 40, 0.002), 10);
    applyEvent(state, 12, completed('m3', null, null), 10); // the offline assistant reports nothing
    expect(state.usage.tokens).toBe(140);
    expect(state.usage.costUsd).toBeCloseTo(0.012, 9);
    applyEvent(state, 11, completed('m2', 40, 0.002), 10); // the same event again after a reconnect
    expect(state.usage.tokens).toBe(140);
  });

  it('adds a new message where its seq says', () => {
    const state = stateWith([message(1), message(3)]);
    applyEvent(state, 12, { type: 'message.created', message: message(2) }, 10);
    expect(ids(state)).toEqual(['m1', 'm2', 'm3']);
  });

  it('does not let a replayed creation overwrite the text the snapshot already has', () => {
    const reply = message(2, { role: 'assistant', author: null, content: 'The full answer', status: 'complete' });
    const state = stateWith([message(1), reply]);
    applyEvent(state, 5, { type: 'message.created', message: { ...reply, content: '', status: 'streaming' } }, 10);
    expect(state.messages).toHaveLength(2);
    expect(state.messages[1]?.content).toBe('The full answer');
  });

  it('adds a replayed message the snapshot does not have (older than its page)', () => {
    const state = stateWith([message(3)]);
    applyEvent(state, 5, { type: 'message.created', message: message(2) }, 10);
    expect(ids(state)).toEqual(['m2', 'm3']);
  });

  it('streams text after the snapshot, but never appends a delta the snapshot already holds', () => {
    const state = stateWith([message(1, { role: 'assistant', author: null, content: 'Hel', status: 'streaming' })]);
    applyEvent(state, 9, { type: 'message.delta', messageId: 'm1', text: 'Hel' }, 10);
    expect(state.messages[0]?.content).toBe('Hel');
    applyEvent(state, 11, { type: 'message.delta', messageId: 'm1', text: 'lo' }, 10);
    expect(state.messages[0]?.content).toBe('Hello');
    applyEvent(state, 12, { type: 'message.delta', messageId: 'm1', text: 'Hi', replace: true }, 10);
    expect(state.messages[0]?.content).toBe('Hi');
  });

  it('ignores text for a message it does not have', () => {
    const state = stateWith([message(1)]);
    applyEvent(state, 11, { type: 'message.delta', messageId: 'nope', text: 'x' }, 10);
    expect(state.messages[0]?.content).toBe('message 1');
  });

  it('completes a reply with its final text and figures', () => {
    const state = stateWith([message(1, { role: 'assistant', author: null, content: 'Hel', status: 'streaming' })]);
    applyEvent(state, 11, { type: 'message.completed', messageId: 'm1', content: 'Hello.', status: 'complete', tokens: 12, costUsd: 0.001, latencyMs: 800 }, 10);
    expect(state.messages[0]).toMatchObject({ content: 'Hello.', status: 'complete', tokens: 12, costUsd: 0.001, latencyMs: 800 });
  });

  it('takes tool calls and run states from replayed events too (the snapshot has none)', () => {
    const state = stateWith([message(1, { runId: 'r1' })]);
    applyEvent(state, 2, { type: 'run.status', runId: 'r1', status: 'running', questionMessageId: 'm1' }, 10);
    applyEvent(state, 3, { type: 'tool.started', runId: 'r1', callId: 'k1', name: 'get_sales', args: { months: 12 } }, 10);
    expect(state.runs.r1?.status).toBe('running');
    expect(state.tools.r1).toEqual([{ callId: 'k1', runId: 'r1', name: 'get_sales', args: { months: 12 }, finished: false }]);
  });

  it('keeps one entry per tool call, in the order the calls started', () => {
    const state = stateWith([]);
    applyEvent(state, 11, { type: 'tool.started', runId: 'r1', callId: 'k1', name: 'first', args: {} }, 10);
    applyEvent(state, 12, { type: 'tool.started', runId: 'r1', callId: 'k2', name: 'second', args: {} }, 10);
    applyEvent(state, 13, { type: 'tool.finished', runId: 'r1', callId: 'k1', name: 'first', args: {}, result: [{ n: 1 }], latencyMs: 40 }, 10);
    expect(state.tools.r1?.map((c) => [c.callId, c.finished])).toEqual([
      ['k1', true],
      ['k2', false],
    ]);
    expect(state.tools.r1?.[0]).toMatchObject({ result: [{ n: 1 }], latencyMs: 40 });
  });

  it('replaces a run state as a whole, so an old reason does not linger', () => {
    const state = stateWith([]);
    applyEvent(state, 11, { type: 'run.status', runId: 'r1', status: 'failed', questionMessageId: 'm1', reason: 'provider down' }, 10);
    applyEvent(state, 12, { type: 'run.status', runId: 'r1', status: 'queued', questionMessageId: 'm1' }, 10);
    expect(state.runs.r1).toEqual({ status: 'queued', questionMessageId: 'm1', reason: undefined });
  });

  it('says who stopped typing when their message arrives', () => {
    const state = { ...stateWith([]), typing: { u1: 'Ann Avery', u2: 'Bea Brook' } };
    const applied = applyEvent(state, 11, { type: 'message.created', message: message(1) }, 10);
    expect(applied).toEqual({ stoppedTyping: 'u1' });
    expect(state.typing).toEqual({ u2: 'Bea Brook' });
    expect(applyEvent(state, 12, { type: 'message.created', message: message(2, { role: 'assistant', author: null }) }, 10)).toEqual({});
  });

  it('renames and archives after the snapshot, and says lists are out of date; replayed ones change nothing', () => {
    const state = stateWith([]);
    expect(applyEvent(state, 9, { type: 'conversation.updated', title: 'Old title', archived: true }, 10)).toEqual({});
    expect(state.conversation).toMatchObject({ title: 'Quarterly review', archived: false });
    expect(applyEvent(state, 11, { type: 'conversation.updated', title: 'Q3 review', archived: true }, 10)).toEqual({ conversationChanged: true });
    expect(state.conversation).toMatchObject({ title: 'Q3 review', archived: true });
  });

  it('ignores a rename before any conversation is loaded', () => {
    const state = makeFeedState();
    expect(applyEvent(state, 11, { type: 'conversation.updated', title: 'x', archived: false }, 10)).toEqual({});
    expect(state.conversation).toBeNull();
  });
});

describe('context.summarised', () => {
  it('notes on the reply how many older messages reached the model as a summary, also when replayed from before the snapshot', () => {
    const state = stateWith([message(1, { runId: 'r1' }), message(2, { id: 'reply', role: 'assistant', runId: 'r1', author: null })]);
    expect(applyEvent(state, 3, { type: 'context.summarised', runId: 'r1', messageId: 'reply', messages: 240 }, 10)).toEqual({});
    expect(state.summarised).toEqual({ reply: 240 });
    applyEvent(state, 12, { type: 'context.summarised', runId: 'r1', messageId: 'reply', messages: 240 }, 10);
    expect(state.summarised).toEqual({ reply: 240 });
  });
});

describe('queuePositions', () => {
  it('numbers the queued questions in the order they were asked and skips the others', () => {
    const state = stateWith([message(1, { runId: 'r1' }), message(2, { runId: 'r2' }), message(3, { runId: 'r3' }), message(4)]);
    state.runs = {
      r1: { status: 'running', questionMessageId: 'm1' },
      r2: { status: 'queued', questionMessageId: 'm2' },
      r3: { status: 'queued', questionMessageId: 'm3' },
    };
    expect([...queuePositions(state)]).toEqual([
      ['m2', 1],
      ['m3', 2],
    ]);
  });
});

describe('isTracked', () => {
  it('tells persisted events from presence, typing and resync notices', () => {
    expect(isTracked({ id: '7', data: { type: 'conversation.updated', title: 't', archived: false } })).toBe(true);
    expect(isTracked({ type: 'presence', viewers: [] })).toBe(false);
    expect(isTracked({ type: 'typing', user: { id: 'u1', name: 'Ann' } })).toBe(false);
    expect(isTracked({ type: 'resync', reason: 'gone', lastSeq: 3 })).toBe(false);
  });
});
