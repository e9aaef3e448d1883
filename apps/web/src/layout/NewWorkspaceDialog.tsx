// Modal form that creates a workspace (workspace.create) and hands back its id.
import { useMutation, useQueryClient } from '@tanstack/solid-query';
import { createEffect, createSignal } from 'solid-js';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Field } from '../components/Field.tsx';
import { describeError } from '../errors.ts';
import { meKey } from '../me.ts';
import { trpc } from '../trpc.ts';

export function NewWorkspaceDialog(props: { open: boolean; onClose: () => void; onCreated: (id: string) => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = createSignal('');
  let dialog: HTMLDialogElement | undefined;
  let input: HTMLInputElement | undefined;

  const create = useMutation(() => ({
    mutationFn: (input: { name: string }) => trpc.workspace.create.mutate(input),
    onSuccess: async (workspace) => {
      await queryClient.invalidateQueries({ queryKey: meKey });
      props.onCreated(workspace.id);
    },
  }));

  createEffect(() => {
    if (!dialog) return;
    if (props.open && !dialog.open) {
      setName('');
      create.reset();
      dialog.showModal();
      input?.focus();
    } else if (!props.open && dialog.open) {
      dialog.close();
    }
  });

  const error = () => (create.error ? describeError(create.error) : undefined);

  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="new-workspace-title" onClose={() => props.onClose()}>
      <form
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          if (name().trim()) create.mutate({ name: name().trim() });
        }}
      >
        <h2 id="new-workspace-title" class="dialog__title">
          New workspace
        </h2>
        <p class="muted">A workspace holds its own sessions, metrics and members. You will be its admin.</p>
        <Field id="new-workspace-name" label="Name" error={error()?.fieldErrors.name?.[0]}>
          {(control) => (
            <input
              {...control}
              ref={input}
              class="input"
              required
              maxLength={80}
              autocomplete="off"
              placeholder="e.g. Growth analytics"
              value={name()}
              onInput={(event) => setName(event.currentTarget.value)}
            />
          )}
        </Field>
        <ErrorNote message={error() && !error()?.fieldErrors.name ? error()?.message : undefined} />
        <div class="row row--end">
          <button class="button" type="button" onClick={() => props.onClose()}>
            Cancel
          </button>
          <button class="button button--primary" type="submit" disabled={create.isPending || !name().trim()}>
            {create.isPending ? 'Creating…' : 'Create workspace'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
