// A button that copies a text to the clipboard and says, for two seconds, whether it worked.
import { createSignal, onCleanup } from 'solid-js';

export function CopyButton(props: { text: string; label?: string; ariaLabel?: string; testId?: string; class?: string }) {
  const [state, setState] = createSignal<'idle' | 'copied' | 'failed'>('idle');
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setState('copied');
    } catch {
      // No clipboard permission (or an insecure origin): the text is on screen to select.
      setState('failed');
    }
    clearTimeout(timer);
    timer = setTimeout(() => setState('idle'), 2000);
  };
  return (
    <button
      class={props.class ?? 'button button--small'}
      type="button"
      aria-label={props.ariaLabel}
      data-testid={props.testId}
      onClick={() => void copy()}
    >
      {state() === 'copied' ? 'Copied' : state() === 'failed' ? 'Select and copy' : (props.label ?? 'Copy')}
    </button>
  );
}
