// The workspace's audit log (audit.list), newest first, filtered from the URL, paged with "Load more". Admins only.
import { useParams } from '@solidjs/router';
import { useInfiniteQuery, useQuery } from '@tanstack/solid-query';
import { For, Show } from 'solid-js';
import { DataTable } from '../components/DataTable.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { describeError } from '../errors.ts';
import { createWorkspaceAccess } from '../me.ts';
import { formatDateTime, formatRelativeTime } from '../time.ts';
import { trpc, type AuditItem } from '../trpc.ts';
import { LoadMore } from '../components/LoadMore.tsx';
import { AuditFilters, createAuditFilters } from './AuditFilters.tsx';

/** Readable names for the actions the server records; unknown actions show their code alone. */
const actionLabels: Record<string, string> = {
  'workspace.create': 'Created workspace',
  'member.add': 'Added member',
  'member.invite': 'Invited by link',
  'member.join': 'Joined by invitation',
  'member.revokeInvite': 'Revoked invitation',
  'member.setRole': 'Changed role',
  'member.remove': 'Removed member',
  'export.create': 'Started export',
  'ingestKey.create': 'Created ingest key',
  'ingestKey.revoke': 'Revoked ingest key',
  'auth.login': 'Signed in',
  'auth.loginFailed': 'Failed sign-in',
  'auth.passwordChanged': 'Changed their password',
  'assistant.question': 'Asked the assistant',
  'assistant.tool': 'Assistant used a tool',
  'export.schedule.create': 'Scheduled an export',
  'export.schedule.pause': 'Paused a schedule',
  'export.schedule.resume': 'Resumed a schedule',
  'export.schedule.remove': 'Removed a schedule',
  'retention.set': 'Changed retention',
  'retention.sweep': 'Retention sweep',
  'retention.restore': 'Restored a conversation retention archived',
};

function formatDetailValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function AuditDetails(props: { item: AuditItem }) {
  const entries = () => Object.entries((props.item.data ?? {}) as Record<string, unknown>);
  return (
    <Show when={entries().length > 0 || props.item.targetId} fallback={<span class="muted">—</span>}>
      <dl class="details">
        <For each={entries()}>
          {([key, value]) => (
            <div class="details__pair">
              <dt>{key}</dt>
              <dd>{formatDetailValue(value)}</dd>
            </div>
          )}
        </For>
        <Show when={entries().length === 0 && props.item.targetId}>
          <div class="details__pair">
            <dt>target</dt>
            <dd>{props.item.targetId}</dd>
          </div>
        </Show>
      </dl>
    </Show>
  );
}

export function AuditPage() {
  const params = useParams();
  const access = createWorkspaceAccess(() => params.workspaceId ?? '');

  const filters = createAuditFilters();
  const members = useQuery(() => ({
    queryKey: ['workspace.members', params.workspaceId],
    queryFn: () => trpc.workspace.members.query({ workspaceId: params.workspaceId ?? '' }),
    enabled: access.isAdmin(),
  }));
  const audit = useInfiniteQuery(() => ({
    queryKey: ['audit.list', params.workspaceId, filters.values()],
    queryFn: ({ pageParam }) =>
      trpc.audit.list.query({ workspaceId: params.workspaceId ?? '', ...filters.values(), ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
    enabled: access.isAdmin(),
  }));

  const items = () => audit.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <div class="page">
      <PageHeader title="Audit log" description="Who changed what in this workspace, newest first." />
      <Show
        when={access.isAdmin()}
        fallback={
          <EmptyState icon="lock" title="Admins only" testId="audit-forbidden">
            <p>The audit log is visible to workspace admins. Ask an admin if you need to know who changed something.</p>
          </EmptyState>
        }
      >
        <AuditFilters filters={filters} members={members.data ?? []} />
        <QueryState
          query={audit}
          data={items()}
          loading="Loading audit log…"
          empty={
            <EmptyState icon="audit" title="Nothing recorded yet" testId="audit-empty">
              <p>Sign-ins to this workspace, member changes and exports will be listed here as they happen.</p>
            </EmptyState>
          }
        >
          {(list) => (
            <>
              <div class="card card--flush">
                <DataTable testId="audit-table" columns={['Action', 'Actor', 'When', 'Details']}>
                  <For each={list()}>
                    {(item) => (
                      <tr>
                        <td>
                          <span class="action">
                            <Show when={actionLabels[item.action]}>
                              {(label) => <span class="action__label">{label()}</span>}
                            </Show>
                            <code>{item.action}</code>
                          </span>
                        </td>
                        <td>{item.actor?.name ?? <span class="muted">System</span>}</td>
                        <td class="nowrap">
                          <time datetime={item.createdAt} title={formatDateTime(item.createdAt)}>
                            {formatRelativeTime(item.createdAt)}
                          </time>
                        </td>
                        <td>
                          <AuditDetails item={item} />
                        </td>
                      </tr>
                    )}
                  </For>
                </DataTable>
              </div>
              <Show when={audit.error && audit.isFetchNextPageError}>
                <ErrorNote message={describeError(audit.error).message} />
              </Show>
              <LoadMore page={audit} />
            </>
          )}
        </QueryState>
      </Show>
    </div>
  );
}
