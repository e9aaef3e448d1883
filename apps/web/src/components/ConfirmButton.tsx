// A destructive button that asks first, inline: "Remove" turns into "Remove Bea? [Remove] [Cancel]".
// One question is open at a time on the page; a failed action leaves it open for another try.
import { createSignal, onCleanup, Show } from 'solid-js';

const [openQuestion, setOpenQuestion] = createSignal<symbol | null>(null);

export function ConfirmButton(props: {
  /** The button's text, and the confirming button's unless `confirmLabel` says otherwise. */
  label: string;
  /** The button's accessible name, e.g. "Remove Bea Brook". */
  ariaLabel: string;
  question: string;
  confirmLabel?: string;
  onOpen?: () => void;
  /** Resolved: the question closes. Rejected: it stays open and `onError` says why. */
  onConfirm: () => Promise<unknown>;
  onError: (cause: unknown) => void;
}) {
  const me = Symbol('confirm');
  const [busy, setBusy] = createSignal(false);
  const open = () => openQuestion() === me;
  const close = () => open() && setOpenQuestion(null);
  onCleanup(close);

  const confirm = async () => {
    setBusy(true);
    try {
      await props.onConfirm();
      close();
    } catch (cause) {
      props.onError(cause);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Show
      when={open()}
      fallback={
        <button
          class="button button--ghost button--small button--danger-text"
          type="button"
          aria-label={props.ariaLabel}
          onClick={() => {
            props.onOpen?.();
            setOpenQuestion(me);
          }}
        >
          {props.label}
        </button>
      }
    >
      <span class="confirm">
        <span class="confirm__text">{props.question}</span>
        <button class="button button--danger button--small" type="button" disabled={busy()} onClick={() => void confirm()}>
          {props.confirmLabel ?? props.label}
        </button>
        <button class="button button--small" type="button" onClick={close}>
          Cancel
        </button>
      </span>
    </Show>
  );
}
