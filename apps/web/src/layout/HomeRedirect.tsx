// "/": opens the user's first workspace, or offers to create one when they have none.
import { Navigate, useNavigate } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { EmptyState } from '../components/EmptyState.tsx';
import { NewWorkspaceDialog } from './NewWorkspaceDialog.tsx';
import { createMeQuery } from '../me.ts';

export function HomeRedirect() {
  const me = createMeQuery();
  const navigate = useNavigate();
  const [dialogOpen, setDialogOpen] = createSignal(false);
  const first = () => me.data?.workspaces[0];
  return (
    <Show
      when={first()}
      fallback={
        <EmptyState icon="members" title="You are not in any workspace yet">
          <p>Ask an admin to add you to theirs, or start a workspace of your own.</p>
          <button class="button button--primary" type="button" onClick={() => setDialogOpen(true)}>
            New workspace
          </button>
          <NewWorkspaceDialog
            open={dialogOpen()}
            onClose={() => setDialogOpen(false)}
            onCreated={(id) => navigate(`/w/${id}/sessions`)}
          />
        </EmptyState>
      }
    >
      {(workspace) => <Navigate href={`/w/${workspace().id}/sessions`} />}
    </Show>
  );
}
