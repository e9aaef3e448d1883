// The signed-in shell: sidebar (brand, workspace switcher, navigation, user menu) around the page.
import { A, Navigate, useParams, type RouteSectionProps } from '@solidjs/router';
import { For, Match, Show, Switch } from 'solid-js';
import { EmptyState } from '../components/EmptyState.tsx';
import { Icon, type IconName } from '../components/Icon.tsx';
import { describeError } from '../errors.ts';
import { createMeQuery } from '../me.ts';
import { token } from '../session.ts';
import { UserMenu } from './UserMenu.tsx';
import { WorkspaceSwitcher } from './WorkspaceSwitcher.tsx';

interface NavItem {
  section: string;
  label: string;
  icon: IconName;
  adminOnly?: boolean;
}

const navItems: NavItem[] = [
  { section: 'sessions', label: 'Sessions', icon: 'sessions' },
  { section: 'tasks', label: 'Tasks', icon: 'tasks' },
  { section: 'metrics', label: 'Metrics', icon: 'metrics' },
  { section: 'jobs', label: 'Jobs', icon: 'jobs' },
  { section: 'audit', label: 'Audit', icon: 'audit', adminOnly: true },
  { section: 'members', label: 'Members', icon: 'members' },
  { section: 'tokens', label: 'Access tokens', icon: 'key' },
];

export function AppFrame(props: RouteSectionProps) {
  return (
    <Show when={token()} fallback={<Navigate href="/login" />}>
      <SignedInFrame {...props} />
    </Show>
  );
}

function SignedInFrame(props: RouteSectionProps) {
  const me = createMeQuery();
  const params = useParams();
  const role = () => me.data?.workspaces.find((w) => w.id === params.workspaceId)?.role;
  const visibleNav = () => navItems.filter((item) => !item.adminOnly || role() === 'admin');

  return (
    <Switch>
      <Match when={me.isPending}>
        <div class="splash" aria-busy="true">
          <span class="brand-mark brand-mark--large" aria-hidden="true" />
          <span class="muted">Loading your workspaces…</span>
        </div>
      </Match>
      <Match when={me.isError}>
        <div class="splash">
          <div class="card card--narrow">
            <h1 class="card__title">Tandem is unavailable</h1>
            <p class="muted">{describeError(me.error).message}</p>
            <button class="button button--primary" type="button" onClick={() => void me.refetch()}>
              Try again
            </button>
          </div>
        </div>
      </Match>
      <Match when={me.data}>
        <div class="app">
          <aside class="sidebar" aria-label="Workspace navigation">
            <div class="brand">
              <span class="brand-mark" aria-hidden="true" />
              <span class="brand__name">Tandem</span>
            </div>
            <WorkspaceSwitcher />
            <Show when={params.workspaceId}>
              <nav class="nav" aria-label="Sections">
                <For each={visibleNav()}>
                  {(item) => (
                    <A class="nav__link" activeClass="nav__link--active" href={`/w/${params.workspaceId}/${item.section}`}>
                      <Icon name={item.icon} />
                      <span>{item.label}</span>
                    </A>
                  )}
                </For>
              </nav>
            </Show>
            <div class="sidebar__spacer" />
            <UserMenu />
          </aside>
          <main class="main">
            <Show
              when={!params.workspaceId || role()}
              fallback={
                <EmptyState icon="lock" title="Workspace not found" testId="workspace-missing">
                  <p>It may have been removed, or you are no longer a member. Pick another workspace from the sidebar.</p>
                </EmptyState>
              }
            >
              {props.children}
            </Show>
          </main>
        </div>
      </Match>
    </Switch>
  );
}
