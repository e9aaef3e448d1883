// Presence in a conversation: the avatars of everyone who has it open, and who is typing.
import { For } from 'solid-js';
import { describeTyping, initialsOf } from './presenceText.ts';

export function ViewerList(props: { viewers: { id: string; name: string }[] }) {
  return (
    <ul class="viewers" aria-label="Viewing now" data-testid="viewers">
      <For each={props.viewers}>
        {(viewer) => (
          <li class="viewers__avatar" title={`${viewer.name} is viewing`} data-testid="viewer">
            {initialsOf(viewer.name)}
          </li>
        )}
      </For>
    </ul>
  );
}

export function TypingIndicator(props: { names: string[] }) {
  return (
    <p class="typing" aria-live="polite" data-testid="typing-indicator">
      {describeTyping(props.names)}
    </p>
  );
}
