// The live state of one open conversation: a snapshot from conversation.get, then every
// conversation.events event applied in order — messages, streaming text, tool calls, run states.
import type { ConversationEvent, EphemeralEvent, MessageDto, RunStatus } from '@tandem/schema';
import { useQueryClient } from '@tanstack/solid-query';
import { batch, createSignal, onCleanup, type Accessor } from 'solid-js';
import { createStore, produce, reconcile } from 'solid-js/store';
import { createSubscription } from '../createSubscription.ts';
import { describeError } from '../errors.ts';
import { trpc } from '../trpc.ts';

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

interface FeedState {
  conversation: ConversationInfo | null;
  messages: MessageDto[];
  hasMore: boolean;
  runs: Record<string, RunState>;
  /** Tool calls per run id, in the order they started. */
  tools: Record<string, ToolCall[]>;
  /** Who else is typing: user id → name. */
  typing: Record<string, string>;
  /** Who has this conversation open right now (everyone, you included). */
  viewers: { id: string; name: string }[];
}

// On the wire, zod's `unknown` fields (tool args) become optional properties.
type WireEvent = ConversationEvent extends infer E ? (E extends { args: unknown } ? Omit<E, 'args'> & { args?: unknown } : E) : never;
type TrackedEnvelope = { id: string; data: WireEvent };
type StreamItem = TrackedEnvelope | EphemeralEvent;

const TYPING_SHOWN_MS = 4000;
const PAGE_SIZE = 50;

function isTracked(item: StreamItem): item is TrackedEnvelope {
  return 'id' in item && 'data' in item;
}

export function createConversationFeed(conversationId: Accessor<string>, currentUserId: Accessor<string | undefined>) {
  const queryClient = useQueryClient();
  const [state, setState] = createStore<FeedState>({ conversation: null, messages: [], hasMore: false, runs: {}, tools: {}, typing: {}, viewers: [] });
  const [loading, setLoading] = createSignal(true);
  const [loadError, setLoadError] = createSignal<string | null>(null);
  const [loadingEarlier, setLoadingEarlier] = createSignal(false);
  const [subscribeInput, setSubscribeInput] = createSignal<{ conversationId: string; lastEventId: string } | null>(null);
  // Events up to this sequence number are already in the snapshot's message texts.
  let snapshotSeq = 0;
  let generation = 0;
  const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();

  const clearTyping = (userId: string) => {
    clearTimeout(typingTimers.get(userId));
    typingTimers.delete(userId);
    setState('typing', produce((t) => void delete t[userId]));
  };
  onCleanup(() => {
    for (const timer of typingTimers.values()) clearTimeout(timer);
  });

  /**
   * Loads the latest page, then subscribes. With `withHistory` the stream starts just before the
   * first loaded message, so tool calls and run states of the visible messages are replayed too;
   * message events already reflected in the snapshot are skipped.
   */
  async function load(withHistory = true) {
    const mine = ++generation;
    const id = conversationId();
    setLoading(true);
    setLoadError(null);
    setSubscribeInput(null);
    try {
      const snapshot = await trpc.conversation.get.query({ conversationId: id, limit: PAGE_SIZE });
      if (mine !== generation) return;
      snapshotSeq = snapshot.conversation.lastSeq;
      const first = snapshot.messages[0];
      const from = withHistory && first ? first.seq - 1 : snapshot.conversation.lastSeq;
      batch(() => {
        setState({
          conversation: snapshot.conversation,
          messages: snapshot.messages,
          hasMore: snapshot.hasMore,
        });
        setState('runs', reconcile({}));
        setState('tools', reconcile({}));
        // Without replayed run states, a streaming reply still means its run is running.
        for (const m of snapshot.messages) {
          if (m.role === 'assistant' && m.status === 'streaming' && m.runId) {
            const question = snapshot.messages.find((q) => q.role === 'user' && q.runId === m.runId);
            setState('runs', m.runId, { status: 'running', questionMessageId: question?.id ?? '' });
          }
        }
        setSubscribeInput({ conversationId: id, lastEventId: String(from) });
        setLoading(false);
      });
    } catch (error) {
      if (mine !== generation) return;
      setLoadError(describeError(error).message);
      setLoading(false);
    }
  }

  async function loadEarlier() {
    const first = state.messages[0];
    if (!first || loadingEarlier()) return;
    setLoadingEarlier(true);
    try {
      const page = await trpc.conversation.get.query({ conversationId: conversationId(), before: first.seq, limit: PAGE_SIZE });
      const known = new Set(state.messages.map((m) => m.id));
      setState({ messages: [...page.messages.filter((m) => !known.has(m.id)), ...state.messages], hasMore: page.hasMore });
    } catch (error) {
      setLoadError(describeError(error).message);
    } finally {
      setLoadingEarlier(false);
    }
  }

  function upsertMessage(message: MessageDto) {
    setState(
      'messages',
      produce((list) => {
        const at = list.findIndex((m) => m.id === message.id);
        if (at >= 0) {
          list[at] = message;
          return;
        }
        let insertAt = list.length;
        while (insertAt > 0 && (list[insertAt - 1]?.seq ?? 0) > message.seq) insertAt--;
        list.splice(insertAt, 0, message);
      }),
    );
  }

  function updateMessage(messageId: string, change: (m: MessageDto) => void) {
    const at = state.messages.findIndex((m) => m.id === messageId);
    if (at >= 0) setState('messages', at, produce(change));
  }

  function upsertTool(call: ToolCall) {
    setState(
      'tools',
      produce((tools) => {
        const list = (tools[call.runId] ??= []);
        const at = list.findIndex((c) => c.callId === call.callId);
        if (at >= 0) list[at] = call;
        else list.push(call);
      }),
    );
  }

  function apply(seq: number, event: WireEvent) {
    const inSnapshot = seq <= snapshotSeq;
    switch (event.type) {
      case 'message.created':
        if (!inSnapshot || !state.messages.some((m) => m.id === event.message.id)) upsertMessage(event.message);
        if (event.message.author) clearTyping(event.message.author.id);
        break;
      case 'message.delta':
        if (!inSnapshot) updateMessage(event.messageId, (m) => void (m.content = event.replace ? event.text : m.content + event.text));
        break;
      case 'message.completed':
        if (!inSnapshot) {
          updateMessage(event.messageId, (m) => {
            m.content = event.content;
            m.status = event.status;
            m.tokens = event.tokens;
            m.costUsd = event.costUsd;
            m.latencyMs = event.latencyMs;
          });
        }
        break;
      case 'tool.started':
        upsertTool({ callId: event.callId, runId: event.runId, name: event.name, args: event.args, finished: false });
        break;
      case 'tool.finished':
        upsertTool({
          callId: event.callId, runId: event.runId, name: event.name, args: event.args, finished: true,
          result: event.result, error: event.error, latencyMs: event.latencyMs, chart: event.chart,
        });
        break;
      case 'run.status':
        setState('runs', event.runId, { status: event.status, questionMessageId: event.questionMessageId, reason: event.reason });
        break;
      case 'conversation.updated':
        if (!inSnapshot && state.conversation) {
          setState('conversation', { title: event.title, archived: event.archived });
          void queryClient.invalidateQueries({ queryKey: ['conversation.list'] });
        }
        break;
    }
  }

  const subscription = createSubscription<{ conversationId: string; lastEventId: string }, StreamItem>({
    input: subscribeInput,
    subscribe: (input, observer) => trpc.conversation.events.subscribe(input, observer),
    onData: (item) => {
      if (isTracked(item)) {
        apply(Number(item.id), item.data);
        return;
      }
      if (item.type === 'resync') {
        // History before our window is gone or the server was reset: start over from a fresh snapshot.
        void load(false);
        return;
      }
      if (item.type === 'presence') {
        setState('viewers', item.viewers);
        return;
      }
      if (item.user.id === currentUserId()) return;
      const userId = item.user.id;
      clearTimeout(typingTimers.get(userId));
      setState('typing', userId, item.user.name);
      typingTimers.set(userId, setTimeout(() => clearTyping(userId), TYPING_SHOWN_MS));
    },
  });

  return {
    state,
    loading,
    loadError,
    loadingEarlier,
    connection: subscription.state,
    subscriptionError: () => {
      const error = subscription.error();
      return error ? describeError(error).message : null;
    },
    load,
    loadEarlier,
    /** Takes a mutation's answer (rename, archive) without waiting for its event. */
    setConversation: (conversation: ConversationInfo) => setState('conversation', conversation),
    /** Shows a just-sent question at once; the event that follows changes nothing. */
    addSent: (message: MessageDto, runId: string) => {
      upsertMessage(message);
      if (!state.runs[runId]) setState('runs', runId, { status: 'queued', questionMessageId: message.id });
    },
  };
}

export type ConversationFeed = ReturnType<typeof createConversationFeed>;
