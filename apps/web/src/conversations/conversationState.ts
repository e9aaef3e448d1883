// How the state of one open conversation changes: a snapshot's messages, then each event of
// conversation.events applied in order.
import type { ConversationEvent, EphemeralEvent, MessageDto, RunStatus } from '@tandem/schema';
import type { trpc } from '../trpc.ts';

export type ConversationSnapshot = Awaited<ReturnType<typeof trpc.conversation.get.query>>;
export type ConversationInfo = ConversationSnapshot['conversation'];
export type ChartHint = NonNullable<Extract<ConversationEvent, { type: 'tool.finished' }>['chart']>;

export interface ToolCall {
  callId: string;
  runId: string;
  name: string;
  args: unknown;
  finished: boolean;
  result?: unknown;
  error?: string;
  latencyMs?: number;
  chart?: ChartHint;
}

export interface RunState {
  status: RunStatus;
  questionMessageId: string;
  reason?: string;
}

export interface FeedState {
  conversation: ConversationInfo | null;
  /** Oldest first, by seq. */
  messages: MessageDto[];
  hasMore: boolean;
  runs: Record<string, RunState>;
  /** Tool calls per run id, in the order they started. */
  tools: Record<string, ToolCall[]>;
  /** Replies whose run got the oldest messages as a summary: reply message id → how many it covered. */
  summarised: Record<string, number>;
  /** Who else is typing: user id → name. */
  typing: Record<string, string>;
  /** Who has this conversation open right now (everyone, you included). */
  viewers: { id: string; name: string }[];
  /** The assistant's tokens and cost in this conversation so far, for everyone in it (the cost meter). */
  usage: { asOfSeq: number; tokens: number; costUsd: number };
}

// On the wire, zod's `unknown` fields (tool args) become optional properties.
export type WireEvent = ConversationEvent extends infer E ? (E extends { args: unknown } ? Omit<E, 'args'> & { args?: unknown } : E) : never;
export type TrackedEnvelope = { id: string; data: WireEvent };
export type StreamItem = TrackedEnvelope | EphemeralEvent;

// Plain functions over a plain object, so the feed runs them inside a store's produce() and tests
// run them as they are.
export function makeFeedState(): FeedState {
  return { conversation: null, messages: [], hasMore: false, runs: {}, tools: {}, summarised: {}, typing: {}, viewers: [], usage: { asOfSeq: 0, tokens: 0, costUsd: 0 } };
}

/** A persisted event (with its seq) rather than presence, typing or a resync notice. */
export function isTracked(item: StreamItem): item is TrackedEnvelope {
  return 'id' in item && 'data' in item;
}

/** Replaces the message with the same id, or inserts it in seq order (usually at the end). */
export function upsertMessage(messages: MessageDto[], message: MessageDto): void {
  const at = messages.findIndex((m) => m.id === message.id);
  if (at >= 0) {
    messages[at] = message;
    return;
  }
  let insertAt = messages.length;
  while (insertAt > 0 && (messages[insertAt - 1]?.seq ?? 0) > message.seq) insertAt--;
  messages.splice(insertAt, 0, message);
}

/** An older page in front of the loaded messages, without the ones already there. */
export function prependEarlier(messages: readonly MessageDto[], earlier: readonly MessageDto[]): MessageDto[] {
  const known = new Set(messages.map((m) => m.id));
  return [...earlier.filter((m) => !known.has(m.id)), ...messages];
}

/** Without replayed run states, a streaming reply in a snapshot still means its run is running. */
export function runsOfSnapshot(messages: readonly MessageDto[]): Record<string, RunState> {
  const runs: Record<string, RunState> = {};
  for (const m of messages) {
    if (m.role === 'assistant' && m.status === 'streaming' && m.runId) {
      const question = messages.find((q) => q.role === 'user' && q.runId === m.runId);
      runs[m.runId] = { status: 'running', questionMessageId: question?.id ?? '' };
    }
  }
  return runs;
}

function upsertTool(tools: Record<string, ToolCall[]>, call: ToolCall): void {
  const list = (tools[call.runId] ??= []);
  const at = list.findIndex((c) => c.callId === call.callId);
  if (at >= 0) list[at] = call;
  else list.push(call);
}

/** What applying an event means beyond the state: for the feed's timers and caches. */
export interface Applied {
  /** This person's message arrived: they stopped typing. */
  stoppedTyping?: string;
  /** The title or archived flag changed: lists of conversations are out of date. */
  conversationChanged?: boolean;
}

/**
 * Applies one persisted event. Events up to `snapshotSeq` are already in the snapshot's message
 * texts: their message changes are skipped, while tool calls and run states (not in the snapshot)
 * are taken from them.
 */
export function applyEvent(state: FeedState, seq: number, event: WireEvent, snapshotSeq: number): Applied {
  const inSnapshot = seq <= snapshotSeq;
  const message = (id: string) => state.messages.find((m) => m.id === id);
  switch (event.type) {
    case 'message.created': {
      if (!inSnapshot || !message(event.message.id)) upsertMessage(state.messages, event.message);
      const author = event.message.author?.id;
      if (!author) return {};
      delete state.typing[author];
      return { stoppedTyping: author };
    }
    case 'message.delta': {
      const target = inSnapshot ? undefined : message(event.messageId);
      if (target) target.content = event.replace ? event.text : target.content + event.text;
      return {};
    }
    case 'message.completed': {
      // The snapshot's sums hold every reply completed up to usage.asOfSeq; later ones add up here.
      if (seq > state.usage.asOfSeq) {
        state.usage.tokens += event.tokens ?? 0;
        state.usage.costUsd += event.costUsd ?? 0;
        state.usage.asOfSeq = seq;
      }
      const target = inSnapshot ? undefined : message(event.messageId);
      if (target) {
        target.content = event.content;
        target.status = event.status;
        target.tokens = event.tokens;
        target.costUsd = event.costUsd;
        target.latencyMs = event.latencyMs;
      }
      return {};
    }
    case 'tool.started':
      upsertTool(state.tools, { callId: event.callId, runId: event.runId, name: event.name, args: event.args, finished: false });
      return {};
    case 'tool.finished':
      upsertTool(state.tools, {
        callId: event.callId, runId: event.runId, name: event.name, args: event.args, finished: true,
        result: event.result, error: event.error, latencyMs: event.latencyMs, chart: event.chart,
      });
      return {};
    case 'run.status':
      state.runs[event.runId] = { status: event.status, questionMessageId: event.questionMessageId, reason: event.reason };
      return {};
    case 'context.summarised':
      state.summarised[event.messageId] = event.messages;
      return {};
    case 'conversation.updated':
      if (inSnapshot || !state.conversation) return {};
      state.conversation.title = event.title;
      state.conversation.archived = event.archived;
      return { conversationChanged: true };
  }
}

/** 1-based place of each queued question (by message id), in the order they were asked. */
export function queuePositions(state: Pick<FeedState, 'messages' | 'runs'>): Map<string, number> {
  const positions = new Map<string, number>();
  for (const m of state.messages) {
    if (m.role === 'user' && m.runId && state.runs[m.runId]?.status === 'queued') positions.set(m.id, positions.size + 1);
  }
  return positions;
}
