// A labelled form control: the label, the control, then the field's error or else its hint, with
// the control's id and aria attributes pointing at whichever message is shown.
import { Show, untrack, type JSX } from 'solid-js';

/**
 * Spread onto an input: `<input {...control} class="input" />`. A select takes `id={control.id}`
 * alone: a spread sets its value before its options exist, so the first option would show.
 */
export interface FieldControl {
  id: string;
  'aria-invalid': 'true' | undefined;
  'aria-describedby': string | undefined;
}

export function Field(props: {
  /** The control's id; its messages are `${id}-error` and `${id}-hint`. */
  id: string;
  label: string;
  error?: string | null | undefined;
  /** Marks the control invalid when its message is shown elsewhere (a form-wide note). */
  invalid?: boolean;
  errorTestId?: string;
  hint?: string;
  /** More classes for the wrapper, for its place in a form's layout. */
  class?: string;
  children: (control: FieldControl) => JSX.Element;
}) {
  const control: FieldControl = {
    get id() {
      return props.id;
    },
    get 'aria-invalid'() {
      return props.error || props.invalid ? 'true' : undefined;
    },
    get 'aria-describedby'() {
      if (props.error) return `${props.id}-error`;
      return props.hint ? `${props.id}-hint` : undefined;
    },
  };
  return (
    <div class={props.class ? `field ${props.class}` : 'field'}>
      <label for={props.id}>{props.label}</label>
      {untrack(() => props.children(control))}
      <Show
        when={props.error}
        fallback={
          <Show when={props.hint}>
            <p class="field__hint" id={`${props.id}-hint`}>
              {props.hint}
            </p>
          </Show>
        }
      >
        <FieldError id={`${props.id}-error`} message={props.error} testId={props.errorTestId} />
      </Show>
    </div>
  );
}

/** A field's error message on its own, for forms that show it away from the control. */
export function FieldError(props: { id?: string; message: string | null | undefined; testId?: string }) {
  return (
    <Show when={props.message}>
      <p class="field__error" id={props.id} data-testid={props.testId}>
        {props.message}
      </p>
    </Show>
  );
}
