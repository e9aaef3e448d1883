// The sidebar's workspace select; its last option opens the "new workspace" dialog.
import { useLocation, useNavigate, useParams } from '@solidjs/router';
import { createSignal, For } from 'solid-js';
import { createMeQuery } from '../me.ts';
import { NewWorkspaceDialog } from './NewWorkspaceDialog.tsx';

const newWorkspaceValue = '__new__';

export function WorkspaceSwitcher() {
  const me = createMeQuery();
  const params = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const [dialogOpen, setDialogOpen] = createSignal(false);
  let select: HTMLSelectElement | undefined;

  /** Keeps the current section (members, audit…) when switching workspace. */
  const sectionOf = (path: string) => /^\/w\/[^/]+\/([^/]+)/.exec(path)?.[1] ?? 'sessions';

  const onChange = (value: string) => {
    if (value === newWorkspaceValue) {
      // Leave the select showing the current workspace; the dialog decides where we go.
      if (select) select.value = params.workspaceId ?? '';
      setDialogOpen(true);
      return;
    }
    navigate(`/w/${value}/${sectionOf(location.pathname)}`);
  };

  return (
    <div class="switcher">
      <label class="switcher__label" for="workspace-switcher">
        Workspace
      </label>
      <select
        id="workspace-switcher"
        ref={select}
        class="select switcher__select"
        data-testid="workspace-switcher"
        value={params.workspaceId ?? ''}
        onChange={(event) => onChange(event.currentTarget.value)}
      >
        {!params.workspaceId && (
          <option value="" disabled>
            Choose a workspace
          </option>
        )}
        <For each={me.data?.workspaces ?? []}>
          {/* `selected` on the option itself: when auth.me refetches, the options are rebuilt and a
              value set on the select alone is lost (it showed "New workspace…"). */}
          {(workspace) => (
            <option value={workspace.id} selected={workspace.id === params.workspaceId}>
              {workspace.name}
            </option>
          )}
        </For>
        <option value={newWorkspaceValue}>New workspace…</option>
      </select>
      <NewWorkspaceDialog
        open={dialogOpen()}
        onClose={() => setDialogOpen(false)}
        onCreated={(id) => {
          setDialogOpen(false);
          navigate(`/w/${id}/sessions`);
        }}
      />
    </div>
  );
}
