// The signed-in user and their workspaces (auth.me), shared by every page.
import { useQuery } from '@tanstack/solid-query';
import type { Accessor } from 'solid-js';
import { token } from './session.ts';
import { trpc, type Role, type WorkspaceSummary } from './trpc.ts';

export const meKey = ['auth.me'] as const;

export function createMeQuery() {
  return useQuery(() => ({
    queryKey: meKey,
    queryFn: () => trpc.auth.me.query(),
    enabled: token() !== null,
  }));
}

/** The summary of one workspace as the user sees it, undefined while loading or when not a member. */
export function createWorkspaceAccess(workspaceId: Accessor<string>) {
  const me = createMeQuery();
  const workspace = (): WorkspaceSummary | undefined => me.data?.workspaces.find((w) => w.id === workspaceId());
  const role = (): Role | undefined => workspace()?.role;
  return { me, workspace, role, isAdmin: () => role() === 'admin' };
}
