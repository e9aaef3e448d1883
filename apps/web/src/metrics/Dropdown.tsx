// A button that opens a small panel of choices (a <details> element), closed again by a click
// outside it or Escape.
import { onCleanup, onMount, type JSX } from 'solid-js';

export function Dropdown(props: { label: JSX.Element; children: JSX.Element; testId?: string; align?: 'left' | 'right' }) {
  let details!: HTMLDetailsElement;
  onMount(() => {
    const close = (event: Event) => {
      if (!details.open) return;
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !details.contains(event.target as Node)) details.open = false;
    };
    document.addEventListener('pointerdown', close);
    document.addEventListener('keydown', close);
    onCleanup(() => {
      document.removeEventListener('pointerdown', close);
      document.removeEventListener('keydown', close);
    });
  });
  return (
    <details ref={details} class="dropdown" data-testid={props.testId}>
      <summary class="button button--small dropdown__button">{props.label}</summary>
      <div class={`dropdown__panel dropdown__panel--${props.align ?? 'left'}`}>{props.children}</div>
    </details>
  );
}
