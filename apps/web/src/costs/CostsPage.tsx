// What the agents cost (metrics.costs): totals over a range, spend per day, top spenders, the
// breakdown by agent and by model, and this month so far against the same days last month.
import { useParams } from '@solidjs/router';
import { useQuery } from '@tanstack/solid-query';
import { createSignal, For, Show } from 'solid-js';
import { CategoryChart } from '../components/CategoryChart.tsx';
import { DataTable, type Column } from '../components/DataTable.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { AssistantBudget } from './AssistantBudget.tsx';
import { createWorkspaceAccess } from '../me.ts';
import { MetricsTabs } from '../metrics/MetricsTabs.tsx';
import { formatCompact, formatUsd, formatUsdTick } from '../metrics/panels.ts';
import { trpc } from '../trpc.ts';

type CostReport = Awaited<ReturnType<typeof trpc.metrics.costs.query>>;

const COST_RANGES = [
  { label: '7 d', days: 7 },
  { label: '30 d', days: 30 },
  { label: '90 d', days: 90 },
] as const;
const TOP_SPENDERS = 5;

const dayLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const numeric = (label: string): Column => ({ label, numeric: true });
const percent = (share: number) => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;

function MonthToDate(props: { mtd: CostReport['monthToDate'] }) {
  const change = () => props.mtd.changePct;
  return (
    <div class="stat" data-testid="cost-mtd">
      <span class="stat__label">Month to date</span>
      <span class="stat__value">{formatUsd(props.mtd.current.costUsd)}</span>
      <span class="stat__note">
        <Show when={change() !== null} fallback={<span class="muted">nothing spent last month by this day</span>}>
          <span classList={{ 'stat__change--up': (change() ?? 0) > 0, 'stat__change--down': (change() ?? 0) < 0 }}>
            {(change() ?? 0) > 0 ? '▲' : (change() ?? 0) < 0 ? '▼' : ''} {Math.abs(change() ?? 0).toFixed(1)} %
          </span>{' '}
          <span class="muted">vs {formatUsd(props.mtd.previous.costUsd)} last month</span>
        </Show>
      </span>
    </div>
  );
}

function ShareBar(props: { share: number }) {
  return (
    <span class="share-bar" aria-hidden="true">
      <span class="share-bar__fill" style={{ width: `${Math.max(1, Math.min(100, props.share * 100))}%` }} />
    </span>
  );
}

function CostReportView(props: { report: CostReport }) {
  const days = () => props.report.byDay;
  return (
    <div class="stack" data-testid="cost-report">
      <div class="stats">
        <div class="stat" data-testid="cost-total">
          <span class="stat__label">Total in range</span>
          <span class="stat__value">{formatUsd(props.report.total.costUsd)}</span>
          <span class="stat__note muted">
            {formatCompact(props.report.total.tokens)} tokens · {formatCompact(props.report.total.requests)} requests
          </span>
        </div>
        <div class="stat">
          <span class="stat__label">Per request</span>
          <span class="stat__value">
            {props.report.total.requests > 0 ? formatUsd(props.report.total.costUsd / props.report.total.requests) : '—'}
          </span>
          <span class="stat__note muted">average over the range</span>
        </div>
        <MonthToDate mtd={props.report.monthToDate} />
      </div>

      <section class="card cost-chart" aria-label="Cost per day">
        <CategoryChart
          kind="bar"
          title="Cost per day (UTC)"
          labels={days().map((d) => dayLabel.format(Date.parse(d.day)))}
          series={[{ label: 'Cost (USD)', values: days().map((d) => d.costUsd) }]}
          height={220}
          formatTick={formatUsdTick}
          testId="cost-by-day"
        />
      </section>

      <div class="cost-columns">
        <section class="card card--flush" aria-labelledby="top-spenders-title">
          <h3 id="top-spenders-title" class="card-section-title">
            Top spenders
          </h3>
          <ol class="spenders" data-testid="top-spenders">
            <For each={props.report.byAgent.slice(0, TOP_SPENDERS)}>
              {(agent) => (
                <li class="spenders__item">
                  <span class="spenders__name">{agent.agentName}</span>
                  <span class="spenders__cost">{formatUsd(agent.costUsd)}</span>
                  <ShareBar share={agent.share} />
                  <span class="spenders__share muted">{percent(agent.share)}</span>
                </li>
              )}
            </For>
          </ol>
        </section>
        <section class="card card--flush" aria-labelledby="by-model-title">
          <h3 id="by-model-title" class="card-section-title">
            By model
          </h3>
          <DataTable compact testId="cost-by-model" columns={['Model', numeric('Cost'), numeric('Tokens'), numeric('Share')]}>
            <For each={props.report.byModel}>
              {(row) => (
                <tr>
                  <td>{row.model}</td>
                  <td class="numeric">{formatUsd(row.costUsd)}</td>
                  <td class="numeric">{formatCompact(row.tokens)}</td>
                  <td class="numeric">{percent(row.share)}</td>
                </tr>
              )}
            </For>
          </DataTable>
        </section>
      </div>

      <section class="card card--flush" aria-labelledby="by-agent-title">
        <h3 id="by-agent-title" class="card-section-title">
          By agent
        </h3>
        <DataTable
          compact
          testId="cost-by-agent"
          columns={['Agent', numeric('Cost'), numeric('Tokens'), numeric('Requests'), numeric('Per request'), numeric('Share')]}
        >
          <For each={props.report.byAgent}>
            {(row) => (
              <tr>
                <td>{row.agentName}</td>
                <td class="numeric">{formatUsd(row.costUsd)}</td>
                <td class="numeric">{formatCompact(row.tokens)}</td>
                <td class="numeric">{formatCompact(row.requests)}</td>
                <td class="numeric">{row.requests > 0 ? formatUsd(row.costUsd / row.requests) : '—'}</td>
                <td class="numeric">{percent(row.share)}</td>
              </tr>
            )}
          </For>
        </DataTable>
      </section>
    </div>
  );
}

export function CostsPage() {
  const params = useParams();
  const workspaceId = () => params.workspaceId ?? '';
  const access = createWorkspaceAccess(workspaceId);
  const [days, setDays] = createSignal<number>(30);

  const report = useQuery(() => ({
    queryKey: ['metrics.costs', workspaceId(), days()],
    queryFn: () => {
      const to = Date.now();
      return trpc.metrics.costs.query({ workspaceId: workspaceId(), from: to - days() * 86_400_000, to });
    },
    enabled: workspaceId() !== '',
    staleTime: 60_000,
  }));

  return (
    <div class="page page--wide">
      <PageHeader title="Metrics" description="Costs: what the agents spent, where, and how this month compares." />
      <MetricsTabs workspaceId={workspaceId()} isAdmin={access.isAdmin()} />
      <AssistantBudget workspaceId={workspaceId()} isAdmin={access.isAdmin()} />
      <div class="dashboard-toolbar">
        <div class="segmented" role="group" aria-label="Cost range" data-testid="cost-range">
          <For each={COST_RANGES}>
            {(range) => (
              <button
                type="button"
                class="segmented__option"
                classList={{ 'segmented__option--active': days() === range.days }}
                aria-pressed={days() === range.days}
                onClick={() => setDays(range.days)}
              >
                {range.label}
              </button>
            )}
          </For>
        </div>
        <Show when={report.isFetching && report.data}>
          <span class="muted">Updating…</span>
        </Show>
      </div>
      <QueryState
        query={report}
        data={report.data}
        isEmpty={(data) => data.byAgent.length === 0 && data.total.costUsd === 0}
        loading="Adding up costs…"
        errorTestId="costs-error"
        empty={
          <EmptyState icon="metrics" title="Nothing spent in this range" testId="costs-empty">
            <p>
              Costs come from the <code>cost_usd</code> field of the samples agents send; once they report it, spend per
              agent, model and day adds up here.
            </p>
          </EmptyState>
        }
      >
        {(data) => <CostReportView report={data()} />}
      </QueryState>
    </div>
  );
}
