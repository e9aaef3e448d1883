// Each user's dashboard choices (agents, panels, range), read once from dashboard.get and saved
// with dashboard.save a moment after the last change, or at once when the page is left.
import { useQuery, useQueryClient } from '@tanstack/solid-query';
import { createEffect, createSignal, on, onCleanup, type Accessor } from 'solid-js';
import { describeError } from '../errors.ts';
import type { DashboardPrefs } from './api.ts';
import { DEFAULT_PANELS, DEFAULT_RANGE_MS } from './panels.ts';
import { trpc } from '../trpc.ts';

const SAVE_DELAY_MS = 800;

const defaults: DashboardPrefs = { agentIds: [], panels: DEFAULT_PANELS, rangeMs: DEFAULT_RANGE_MS };

export function createDashboardPrefs(workspaceId: Accessor<string>) {
  const queryClient = useQueryClient();
  const stored = useQuery(() => ({
    queryKey: ['dashboard.get', workspaceId()],
    queryFn: () => trpc.dashboard.get.query({ workspaceId: workspaceId() }),
    enabled: workspaceId() !== '',
    staleTime: Infinity,
  }));
  const [prefs, setPrefs] = createSignal<DashboardPrefs>(defaults);
  const [ready, setReady] = createSignal(false);
  const [saveError, setSaveError] = createSignal<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let unsaved: { workspaceId: string; prefs: DashboardPrefs } | null = null;

  // Take the stored choices once per workspace; later refetches must not undo local changes.
  createEffect(
    on(workspaceId, () => {
      setReady(false);
      setPrefs(defaults);
    }),
  );
  createEffect(() => {
    if (ready()) return;
    if (stored.data) {
      setPrefs({ ...defaults, ...stored.data });
      setReady(true);
    } else if (stored.isError) setReady(true);
  });

  const save = () => {
    clearTimeout(timer);
    const pending = unsaved;
    unsaved = null;
    if (!pending) return;
    // The next visit in this tab starts from what was chosen, not from the first read.
    queryClient.setQueryData(['dashboard.get', pending.workspaceId], pending.prefs);
    trpc.dashboard.save.mutate(pending).then(
      () => setSaveError(null),
      (error: unknown) => setSaveError(`Your dashboard choices were not saved: ${describeError(error).message}`),
    );
  };
  onCleanup(save);

  return {
    prefs,
    /** True once the stored choices are in (or could not be read); the page waits for it. */
    ready,
    loadError: () => (stored.isError ? describeError(stored.error).message : null),
    saveError,
    update(patch: Partial<DashboardPrefs>) {
      const next = { ...prefs(), ...patch };
      setPrefs(next);
      unsaved = { workspaceId: workspaceId(), prefs: next };
      clearTimeout(timer);
      timer = setTimeout(save, SAVE_DELAY_MS);
    },
  };
}
