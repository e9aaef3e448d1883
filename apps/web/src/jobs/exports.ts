// The workspace's exports: the list (export.list) kept current by export.events, which pushes
// each export as it changes; create, cancel and retry go through export.* mutations.
import { useQuery, useQueryClient } from '@tanstack/solid-query';
import { createEffect, on, type Accessor } from 'solid-js';
import type { ExportView } from '@tandem/schema';
import { createSubscription } from '../createSubscription.ts';
import { describeError } from '../errors.ts';
import { trpc } from '../trpc.ts';

export type { ExportView };
export type NewExportInput = Parameters<typeof trpc.export.create.mutate>[0];

export const exportsKey = (workspaceId: string) => ['exports', workspaceId] as const;

export function createExports(workspaceId: Accessor<string>, enabled: Accessor<boolean>) {
  const client = useQueryClient();
  const list = useQuery(() => ({
    queryKey: exportsKey(workspaceId()),
    queryFn: async () => (await trpc.export.list.query({ workspaceId: workspaceId() })).exports,
    enabled: workspaceId() !== '' && enabled(),
  }));
  /** Puts a changed export in the cached list (new ones first). */
  const upsert = (view: ExportView) =>
    client.setQueryData<ExportView[]>(exportsKey(view.workspaceId), (old = []) =>
      old.some((e) => e.id === view.id) ? old.map((e) => (e.id === view.id ? view : e)) : [view, ...old]);

  const events = createSubscription<{ workspaceId: string }, ExportView>({
    input: () => (workspaceId() && enabled() ? { workspaceId: workspaceId() } : null),
    subscribe: (input, observer) => trpc.export.events.subscribe(input, observer),
    onData: upsert,
  });
  // Progress pushed while the stream was down (or before it started) is read again.
  createEffect(on(events.state, (state, previous) => {
    if (state === 'live' && previous !== 'live') void client.invalidateQueries({ queryKey: exportsKey(workspaceId()) });
  }));

  return {
    list,
    live: () => events.state() === 'live',
    liveError: () => {
      const error = events.error();
      return error ? describeError(error).message : null;
    },
    async create(input: NewExportInput) {
      const { export: view } = await trpc.export.create.mutate(input);
      upsert(view);
      return view;
    },
    cancel: async (e: ExportView) => upsert(await trpc.export.cancel.mutate({ workspaceId: e.workspaceId, exportId: e.id })),
    retry: async (e: ExportView) => upsert(await trpc.export.retry.mutate({ workspaceId: e.workspaceId, exportId: e.id })),
  };
}
