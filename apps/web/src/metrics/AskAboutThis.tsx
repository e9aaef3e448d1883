// "Ask about this": after a drag across a chart (which also zooms), a small popover opens a session —
// a new one or a recent one — with the agent, metric and range waiting in its composer.
import { useNavigate } from '@solidjs/router';
import { useQuery } from '@tanstack/solid-query';
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import type { MetricRef } from '@tandem/schema';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { describeError } from '../errors.ts';
import { createWorkspaceAccess } from '../me.ts';
import { trpc } from '../trpc.ts';
import { formatRange } from '../conversations/MetricRefCard.tsx';
import type { MetricName } from './api.ts';
import { askHref } from './askLink.ts';
import { METRIC_LABELS } from './panels.ts';

/** Sessions offered besides a new one: the most recently active. */
const RECENT_SESSIONS = 5;

export interface AskSelection {
  metric: MetricName;
  from: number;
  to: number;
}

export function AskAboutThis(props: {
  workspaceId: string;
  selection: AskSelection;
  /** The agents drawn on the chart; the first is chosen until the reader picks another. */
  agents: { id: string; name: string }[];
  onClose: () => void;
}) {
  let panel!: HTMLDivElement;
  const navigate = useNavigate();
  const access = createWorkspaceAccess(() => props.workspaceId);
  const canAsk = () => access.role() === 'admin' || access.role() === 'member';
  const [agentId, setAgentId] = createSignal(props.agents[0]?.id ?? '');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const recent = useQuery(() => ({
    queryKey: ['conversation.list', props.workspaceId, 'recent'],
    queryFn: () => trpc.conversation.list.query({ workspaceId: props.workspaceId, limit: RECENT_SESSIONS }),
    enabled: canAsk(),
    staleTime: 10_000,
  }));
  const agentName = () => props.agents.find((a) => a.id === agentId())?.name ?? 'agent';
  const ref = (): MetricRef => ({ agentId: agentId(), metric: props.selection.metric, from: Math.round(props.selection.from), to: Math.round(props.selection.to) });

  onMount(() => {
    const close = (event: KeyboardEvent) => event.key === 'Escape' && props.onClose();
    document.addEventListener('keydown', close);
    onCleanup(() => document.removeEventListener('keydown', close));
    panel.querySelector<HTMLButtonElement>('[data-testid="ask-new-session"]')?.focus();
  });

  const openNew = async () => {
    setBusy(true);
    setError(null);
    try {
      const title = `${agentName()} · ${METRIC_LABELS[props.selection.metric]}`.slice(0, 120);
      const created = await trpc.conversation.create.mutate({ workspaceId: props.workspaceId, title });
      navigate(askHref(props.workspaceId, created.id, ref()));
    } catch (cause) {
      setError(describeError(cause).message);
      setBusy(false);
    }
  };

  return (
    <div ref={panel} class="ask-popover" role="dialog" aria-label="Ask about this range" data-testid="ask-popover">
      <div class="ask-popover__head">
        <span class="ask-popover__title">Ask about this</span>
        <button class="attachment-chip__remove" type="button" aria-label="Close" onClick={() => props.onClose()}>
          ×
        </button>
      </div>
      <span class="ask-popover__range">
        {METRIC_LABELS[props.selection.metric]} · {formatRange(props.selection.from, props.selection.to)}
      </span>
      <Show when={props.agents.length > 1}>
        <label class="ask-popover__label" for="ask-agent">
          Agent
        </label>
        <select id="ask-agent" data-testid="ask-agent" value={agentId()} onChange={(event) => setAgentId(event.currentTarget.value)}>
          <For each={props.agents}>{(agent) => <option value={agent.id}>{agent.name}</option>}</For>
        </select>
      </Show>
      <Show
        when={canAsk()}
        fallback={
          <p class="muted" data-testid="ask-viewer">
            Viewers can follow sessions but not ask the assistant.
          </p>
        }
      >
        <button class="button button--primary button--small" type="button" data-testid="ask-new-session" disabled={busy() || !agentId()} onClick={() => void openNew()}>
          {busy() ? 'Opening…' : 'Ask in a new session'}
        </button>
        <ErrorNote message={error() ?? (recent.isError ? describeError(recent.error).message : null)} />
        <Show when={(recent.data?.items.length ?? 0) > 0}>
          <p class="ask-popover__label">Or in a recent session</p>
          <ul class="ask-popover__sessions">
            <For each={recent.data?.items}>
              {(session) => (
                <li>
                  <button
                    class="ask-popover__session"
                    type="button"
                    data-testid="ask-existing-session"
                    title={session.title}
                    disabled={!agentId()}
                    onClick={() => navigate(askHref(props.workspaceId, session.id, ref()))}
                  >
                    {session.title}
                  </button>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Show>
    </div>
  );
}
