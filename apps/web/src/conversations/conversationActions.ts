// What a reader does to an open conversation besides asking: stop a run, archive or restore,
// rename. Each answer goes into the feed at once, without waiting for its event.
import { useQueryClient } from '@tanstack/solid-query';
import { createSignal, type Accessor } from 'solid-js';
import { describeError } from '../errors.ts';
import { trpc } from '../trpc.ts';
import type { ConversationFeed } from './conversationFeed.ts';

export function createConversationActions(options: { workspaceId: Accessor<string>; conversationId: Accessor<string>; feed: ConversationFeed }) {
  const queryClient = useQueryClient();
  const [error, setError] = createSignal<string | null>(null);
  const [cancelling, setCancelling] = createSignal<string | null>(null);
  const [archiving, setArchiving] = createSignal(false);
  const refreshList = () => queryClient.invalidateQueries({ queryKey: ['conversation.list', options.workspaceId()] });

  return {
    /** The last failed stop, archive or restore. */
    error,
    /** The run being stopped, if any. */
    cancelling,
    archiving,

    async cancelRun(runId: string) {
      setCancelling(runId);
      setError(null);
      try {
        await trpc.conversation.cancel.mutate({ runId });
      } catch (cause) {
        setError(describeError(cause).message);
      } finally {
        setCancelling(null);
      }
    },

    async setArchived(archive: boolean) {
      setArchiving(true);
      setError(null);
      try {
        const input = { conversationId: options.conversationId() };
        const updated = archive ? await trpc.conversation.archive.mutate(input) : await trpc.conversation.restore.mutate(input);
        await refreshList();
        options.feed.setConversation(updated);
      } catch (cause) {
        setError(describeError(cause).message);
      } finally {
        setArchiving(false);
      }
    },

    /** Throws on failure: the confirm button shows why. */
    async remove() {
      await trpc.conversation.delete.mutate({ conversationId: options.conversationId() });
      await refreshList();
    },

    /** Throws on failure: the title editor shows why. */
    async rename(title: string) {
      const updated = await trpc.conversation.rename.mutate({ conversationId: options.conversationId(), title });
      options.feed.setConversation(updated);
      await refreshList();
    },
  };
}
