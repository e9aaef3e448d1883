// The top of a conversation: back to the list, the (renamable) title, whether it is archived,
// who is viewing, Archive / Restore for those who may write, Delete for its creator and admins.
import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { formatUsd } from '../metrics/panels.ts';
import type { ConversationInfo } from './conversationState.ts';
import { ConversationTitle } from './ConversationTitle.tsx';
import { ViewerList } from './Presence.tsx';

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export function ConversationHeader(props: {
  workspaceId: string;
  conversation: ConversationInfo;
  viewers: { id: string; name: string }[];
  canWrite: boolean;
  /** An archive or restore is under way. */
  busy: boolean;
  onArchive: (archive: boolean) => void;
  /** The assistant's tokens and cost here so far, live for everyone. */
  usage: { tokens: number; costUsd: number };
  /** Its creator or an admin: deleting removes it for everyone. */
  canDelete: boolean;
  onDelete: () => Promise<void>;
  onDeleteError: (cause: unknown) => void;
  onRename: (title: string) => Promise<void>;
}) {
  return (
    <header class="conversation__header">
      <A class="conversation__back" href={`/w/${props.workspaceId}/sessions`} aria-label="Back to sessions">
        ← Sessions
      </A>
      <ConversationTitle title={props.conversation.title} canEdit={props.canWrite} onRename={props.onRename} />
      <Show when={props.conversation.archived}>
        <span class="tag" data-testid="archived-tag">
          Archived
        </span>
      </Show>
      <div class="conversation__actions">
        <Show when={props.usage.tokens > 0 || props.usage.costUsd > 0}>
          <span class="tag conversation__meter" data-testid="cost-meter" title="What the assistant's replies in this session have cost so far">
            {compact.format(props.usage.tokens)} tokens · {formatUsd(props.usage.costUsd)}
          </span>
        </Show>
        <ViewerList viewers={props.viewers} />
        <A class="button button--small" href={`/w/${props.workspaceId}/sessions/${props.conversation.id}/replay`} data-testid="replay-link" title="Play this session back with its agents' charts">
          Replay
        </A>
        <Show when={props.canWrite}>
          <button class="button button--small" type="button" disabled={props.busy} onClick={() => props.onArchive(!props.conversation.archived)}>
            {props.conversation.archived ? 'Restore' : 'Archive'}
          </button>
        </Show>
        <Show when={props.canDelete}>
          <ConfirmButton
            label="Delete"
            ariaLabel={`Delete ${props.conversation.title}`}
            question="Delete for everyone?"
            onConfirm={props.onDelete}
            onError={props.onDeleteError}
          />
        </Show>
      </div>
    </header>
  );
}
