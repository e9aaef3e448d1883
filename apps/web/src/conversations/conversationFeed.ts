// The live state of one open conversation: a snapshot from conversation.get, then every
// conversation.events event applied in order (see conversationState.ts), plus who is typing.
import type { MessageDto } from '@tandem/schema';
import { useQueryClient } from '@tanstack/solid-query';
import { batch, createSignal, onCleanup, type Accessor } from 'solid-js';
import { createStore, produce, reconcile } from 'solid-js/store';
import { createSubscription } from '../createSubscription.ts';
import { describeError } from '../errors.ts';
import { trpc } from '../trpc.ts';
import {
  applyEvent,
  isTracked,
  makeFeedState,
  prependEarlier,
  runsOfSnapshot,
  upsertMessage,
  type ConversationInfo,
  type FeedState,
  type StreamItem,
  type WireEvent,
} from './conversationState.ts';

const TYPING_SHOWN_MS = 4000;
/** Messages per page of a session (the first load and each "Load earlier"). */
export const PAGE_SIZE = 50;

export function createConversationFeed(conversationId: Accessor<string>, currentUserId: Accessor<string | undefined>) {
  const queryClient = useQueryClient();
  const [state, setState] = createStore<FeedState>(makeFeedState());
  const [loading, setLoading] = createSignal(true);
  const [loadError, setLoadError] = createSignal<string | null>(null);
  const [loadingEarlier, setLoadingEarlier] = createSignal(false);
  /** Who deleted the conversation while it was open (conversation.delete), or null. */
  const [deletedBy, setDeletedBy] = createSignal<string | null>(null);
  const [subscribeInput, setSubscribeInput] = createSignal<{ conversationId: string; lastEventId: string } | null>(null);
  // Events up to this sequence number are already in the snapshot's message texts.
  let snapshotSeq = 0;
  /** The last persisted event applied; the stream restarts after `from` on every load. */
  let lastApplied = 0;
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
          usage: snapshot.usage,
        });
        setState('runs', reconcile(runsOfSnapshot(snapshot.messages)));
        setState('tools', reconcile({}));
        setState('summarised', reconcile({}));
        lastApplied = from;
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
      setState({ messages: prependEarlier(state.messages, page.messages), hasMore: page.hasMore });
    } catch (error) {
      setLoadError(describeError(error).message);
    } finally {
      setLoadingEarlier(false);
    }
  }

  function apply(seq: number, event: WireEvent) {
    let applied: ReturnType<typeof applyEvent> = {};
    setState(produce((draft) => void (applied = applyEvent(draft, seq, event, snapshotSeq))));
    if (applied.stoppedTyping) clearTyping(applied.stoppedTyping);
    if (applied.conversationChanged) void queryClient.invalidateQueries({ queryKey: ['conversation.list'] });
  }

  const subscription = createSubscription<{ conversationId: string; lastEventId: string }, StreamItem>({
    input: subscribeInput,
    subscribe: (input, observer) => trpc.conversation.events.subscribe(input, observer),
    onData: (item) => {
      if (isTracked(item)) {
        // A gapless, ordered stream: a seq seen already (a repeat after a reconnect or a hand-off race) changes nothing.
        const seq = Number(item.id);
        if (seq <= lastApplied) return;
        lastApplied = seq;
        apply(seq, item.data);
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
      if (item.type === 'deleted') {
        setDeletedBy(item.by.name);
        setSubscribeInput(null);
        void queryClient.invalidateQueries({ queryKey: ['conversation.list'] });
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
    deletedBy,
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
      setState('messages', produce((messages) => upsertMessage(messages, message)));
      if (!state.runs[runId]) setState('runs', runId, { status: 'queued', questionMessageId: message.id });
    },
  };
}

export type ConversationFeed = ReturnType<typeof createConversationFeed>;
