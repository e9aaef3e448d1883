// A session's title; members click it (or press Enter on it) to rename in place.
import { createSignal, Show } from 'solid-js';
import { describeError } from '../errors.ts';

export function ConversationTitle(props: { title: string; canEdit: boolean; onRename: (title: string) => Promise<void> }) {
  const [editing, setEditing] = createSignal(false);
  const [draft, setDraft] = createSignal('');
  const [saving, setSaving] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const start = () => {
    setDraft(props.title);
    setError(null);
    setEditing(true);
  };

  const save = async () => {
    const title = draft().trim();
    if (!title || title === props.title) {
      setEditing(false);
      return;
    }
    setSaving(true);
    try {
      await props.onRename(title);
      setEditing(false);
    } catch (cause) {
      setError(describeError(cause).fieldErrors.title?.[0] ?? describeError(cause).message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Show
      when={editing()}
      fallback={
        <Show when={props.canEdit} fallback={<h1 class="conversation__title" data-testid="conversation-title">{props.title}</h1>}>
          <h1 class="conversation__title">
            <button class="conversation__title-button" type="button" data-testid="conversation-title" title="Rename" onClick={start}>
              {props.title}
              <span class="conversation__title-hint" aria-hidden="true">
                ✎
              </span>
              <span class="visually-hidden">(rename)</span>
            </button>
          </h1>
        </Show>
      }
    >
      <form
        class="conversation__rename"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <input
          class="input conversation__rename-input"
          aria-label="Session title"
          data-testid="conversation-title-input"
          maxLength={120}
          value={draft()}
          disabled={saving()}
          aria-invalid={error() ? 'true' : undefined}
          ref={(el) => queueMicrotask(() => el.select())}
          onInput={(event) => setDraft(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Escape') setEditing(false);
          }}
          onBlur={() => void save()}
        />
        <Show when={error()}>
          <span class="field__error" role="alert">
            {error()}
          </span>
        </Show>
      </form>
    </Show>
  );
}
