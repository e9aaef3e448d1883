// One task of the Tasks page: a checkbox to complete it, its title, due day and notes, and an
// inline editor; delete asks first. Each change is applied at once and confirmed by the server.
import { createSignal, Show } from 'solid-js';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field } from '../components/Field.tsx';
import { describeError } from '../errors.ts';
import { trpc } from '../trpc.ts';
import { describeDue, dueInputValue, type Task, type TaskEvent } from './taskList.ts';

export function TaskItem(props: { workspaceId: string; task: Task; apply: (event: TaskEvent) => void }) {
  const [editing, setEditing] = createSignal(false);
  const [title, setTitle] = createSignal('');
  const [due, setDue] = createSignal('');
  const [notes, setNotes] = createSignal('');
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  const run = async (change: () => Promise<Task>) => {
    setBusy(true);
    setError(null);
    try {
      props.apply({ type: 'task.changed', task: await change() });
      return true;
    } catch (cause) {
      setError(describeError(cause).message);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const toggle = () => void run(() => trpc.task.toggle.mutate({ workspaceId: props.workspaceId, taskId: props.task.id, completed: !props.task.completed }));
  const startEditing = () => {
    setTitle(props.task.title);
    setDue(dueInputValue(props.task.dueAt));
    setNotes(props.task.notes);
    setError(null);
    setEditing(true);
  };
  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    const saved = await run(() => trpc.task.update.mutate({
      workspaceId: props.workspaceId, taskId: props.task.id, title: title(), notes: notes(), dueAt: due() || null,
    }));
    if (saved) setEditing(false);
  };
  const remove = async () => {
    await trpc.task.delete.mutate({ workspaceId: props.workspaceId, taskId: props.task.id });
    props.apply({ type: 'task.deleted', taskId: props.task.id });
  };

  return (
    <li class="task" classList={{ 'task--done': props.task.completed }} data-testid="task" data-title={props.task.title} data-completed={String(props.task.completed)}>
      <Show
        when={editing()}
        fallback={
          <div class="task__view">
            <input
              class="task__check"
              type="checkbox"
              checked={props.task.completed}
              disabled={busy()}
              aria-label={`${props.task.completed ? 'Reopen' : 'Complete'} ${props.task.title}`}
              onChange={toggle}
            />
            <div class="task__body">
              <span class="task__title">{props.task.title}</span>
              <Show when={props.task.dueAt}>
                {(dueAt) => (
                  <span class="task__due" classList={{ 'task__due--late': !props.task.completed && describeDue(dueAt(), false).includes('overdue') }}>
                    {describeDue(dueAt(), props.task.completed)}
                  </span>
                )}
              </Show>
              <Show when={props.task.notes}>
                <p class="task__notes">{props.task.notes}</p>
              </Show>
            </div>
            <div class="task__actions">
              <button class="button button--ghost button--small" type="button" aria-label={`Edit ${props.task.title}`} onClick={startEditing}>
                Edit
              </button>
              <ConfirmButton
                label="Delete"
                ariaLabel={`Delete ${props.task.title}`}
                question="Delete this task?"
                onConfirm={remove}
                onError={(cause) => setError(`Could not delete it: ${describeError(cause).message}`)}
              />
            </div>
          </div>
        }
      >
        <form class="task__editor" aria-label={`Edit ${props.task.title}`} novalidate onSubmit={(e) => void save(e)}>
          <Field id={`task-${props.task.id}-title`} label="Title">
            {(control) => <input {...control} class="input" maxlength="200" value={title()} onInput={(e) => setTitle(e.currentTarget.value)} />}
          </Field>
          <Field id={`task-${props.task.id}-due`} label="Due">
            {(control) => <input {...control} class="input" type="date" value={due()} onInput={(e) => setDue(e.currentTarget.value)} />}
          </Field>
          <Field id={`task-${props.task.id}-notes`} label="Notes" class="task__editor-notes">
            {(control) => <textarea {...control} class="input" rows="3" maxlength="5000" value={notes()} onInput={(e) => setNotes(e.currentTarget.value)} />}
          </Field>
          <div class="row row--end task__editor-actions">
            <button class="button" type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
            <button class="button button--primary" type="submit" disabled={busy()}>
              {busy() ? 'Saving…' : 'Save'}
            </button>
          </div>
        </form>
      </Show>
      <ErrorNote message={error()} testId="task-error" />
    </li>
  );
}
