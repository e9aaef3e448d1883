// The "new task" form of the Tasks page: a title, and optionally a due day and notes.
import { createSignal, Show } from 'solid-js';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field, FieldError } from '../components/Field.tsx';
import { describeError } from '../errors.ts';
import { trpc } from '../trpc.ts';
import type { Task } from './taskList.ts';

export function TaskForm(props: { workspaceId: string; onCreated: (task: Task) => void }) {
  const [title, setTitle] = createSignal('');
  const [due, setDue] = createSignal('');
  const [notes, setNotes] = createSignal('');
  const [more, setMore] = createSignal(false);
  const [error, setError] = createSignal<{ title?: string; form?: string }>({});
  const [saving, setSaving] = createSignal(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!title().trim()) {
      setError({ title: 'Say what to do, e.g. “Call Ana about the Q4 report”.' });
      return;
    }
    setSaving(true);
    setError({});
    try {
      const task = await trpc.task.create.mutate({
        workspaceId: props.workspaceId, title: title(), ...(notes().trim() ? { notes: notes() } : {}), ...(due() ? { dueAt: due() } : {}),
      });
      setTitle('');
      setDue('');
      setNotes('');
      props.onCreated(task);
    } catch (cause) {
      const view = describeError(cause);
      setError({ title: view.fieldErrors.title?.[0], form: view.message });
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="card task-form" aria-label="Create a task" novalidate onSubmit={(e) => void submit(e)}>
      <div class="task-form__row">
        <Field id="task-title" label="New task" invalid={!!error().title} class="task-form__title">
          {(control) => (
            <input {...control} class="input" maxlength="200" placeholder="What needs doing?" value={title()} onInput={(e) => setTitle(e.currentTarget.value)} />
          )}
        </Field>
        <Field id="task-due" label="Due" class="task-form__due">
          {(control) => <input {...control} class="input" type="date" value={due()} onInput={(e) => setDue(e.currentTarget.value)} />}
        </Field>
        <button class="button button--primary" type="submit" disabled={saving()} data-testid="create-task">
          {saving() ? 'Adding…' : 'Add task'}
        </button>
      </div>
      <Show
        when={more()}
        fallback={
          <button class="button button--ghost button--small task-form__more" type="button" onClick={() => setMore(true)}>
            Add notes
          </button>
        }
      >
        <Field id="task-notes" label="Notes">
          {(control) => <textarea {...control} class="input" rows="3" maxlength="5000" value={notes()} onInput={(e) => setNotes(e.currentTarget.value)} />}
        </Field>
      </Show>
      <FieldError message={error().title} testId="task-title-error" />
      <ErrorNote message={error().title ? null : error().form} testId="task-form-error" />
    </form>
  );
}
