// An inline, announced error message; renders nothing when there is no message.
import { Show } from 'solid-js';
import { Icon } from './Icon.tsx';

export function ErrorNote(props: { message: string | null | undefined; testId?: string }) {
  return (
    <Show when={props.message}>
      <div class="error-note" role="alert" data-testid={props.testId}>
        <Icon name="alert" size={16} />
        <span>{props.message}</span>
      </div>
    </Show>
  );
}
