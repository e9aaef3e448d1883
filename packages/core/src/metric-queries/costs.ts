// metrics.costs: what agents spent over a range, by agent, by model and by UTC day, and this
// month so far against the same stretch of the previous month. Ranges are whole UTC hours.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CostReport } from '@tandem/schema';
import { DAY, HOUR, rawRetainedSince } from './query-plan.ts';

interface CostRow {
  agent_id: string;
  day: number;
  model: string;
  cost: number;
  tokens: number;
  requests: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Spend per agent, UTC day and model over [from, to) (hour-aligned). Within raw retention samples
 * answer, so the model is each sample's `model` label (else the agent's model); before it, hourly
 * rollups answer and carry no labels: the agent's model.
 */
async function costRows(em: EntityManager, workspaceId: string, from: number, to: number, rawSince: number): Promise<CostRow[]> {
  const rawFrom = Math.max(from, rawSince);
  const rolledTo = Math.min(to, rawSince);
  return em.execute<CostRow[]>(
    `select agent_id, day, model, sum(cost)::float8 as cost, sum(tokens)::float8 as tokens, sum(requests)::float8 as requests
       from (
         select s.agent_id, floor(extract(epoch from s.ts) / 86400)::int as day,
                coalesce(nullif(s.labels->>'model', ''), a.model, 'unknown') as model,
                coalesce(s.cost_usd, 0) as cost, coalesce(s.tokens_in, 0) + coalesce(s.tokens_out, 0) as tokens,
                coalesce(s.requests, 0) as requests
           from metric_samples s join agents a on a.id = s.agent_id and a.workspace_id = s.workspace_id
          where s.workspace_id = ? and s.ts >= ?::timestamptz and s.ts < ?::timestamptz
            and (s.cost_usd is not null or s.tokens_in is not null or s.tokens_out is not null or s.requests is not null)
         union all
         select r.agent_id, floor(extract(epoch from r.bucket) / 86400)::int, coalesce(a.model, 'unknown'),
                coalesce(r.cost_usd_sum, 0), coalesce(r.tokens_in_sum, 0) + coalesce(r.tokens_out_sum, 0), coalesce(r.requests_sum, 0)
           from metric_rollups r join agents a on a.id = r.agent_id and a.workspace_id = r.workspace_id
          where r.workspace_id = ? and r.step_ms = ${HOUR} and r.bucket >= ?::timestamptz and r.bucket < ?::timestamptz
       ) c
      group by 1, 2, 3`,
    [workspaceId, iso(rawFrom), iso(Math.max(rawFrom, to)), workspaceId, iso(from), iso(Math.max(from, rolledTo))],
  );
}

interface Line {
  costUsd: number;
  tokens: number;
  requests: number;
}
const emptyLine = (): Line => ({ costUsd: 0, tokens: 0, requests: 0 });
const add = (l: Line, r: CostRow) => {
  l.costUsd += r.cost;
  l.tokens += r.tokens;
  l.requests += r.requests;
};
/** Cents are what people read; sums of many small floats otherwise show 0.30000000000000004. */
const money = (x: number) => Math.round(x * 1e6) / 1e6;
const tidy = <T extends Line>(l: T): T => ({ ...l, costUsd: money(l.costUsd) });
const share = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1e4) / 1e4 : 0);

const startOfUtcMonth = (ms: number, monthsBack = 0) => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - monthsBack, 1);
};

export interface CostEnv {
  now?: number;
  rawRetentionDays: number;
}

export async function costReport(em: EntityManager, workspaceId: string, range: { from: number; to: number }, env: CostEnv): Promise<CostReport> {
  const now = env.now ?? Date.now();
  const rawSince = rawRetainedSince(now, env.rawRetentionDays);
  const from = Math.floor(range.from / HOUR) * HOUR;
  const to = Math.ceil(range.to / HOUR) * HOUR;
  const rows = await costRows(em, workspaceId, from, to, rawSince);
  const agents = await em.execute<{ id: string; name: string }[]>(`select id, name from agents where workspace_id = ? order by name`, [workspaceId]);

  const total = emptyLine();
  const byAgent = new Map(agents.map((a) => [a.id, emptyLine()]));
  const byModel = new Map<string, Line>();
  const byDay = new Map<number, Line>();
  for (const r of rows) {
    add(total, r);
    const agent = byAgent.get(r.agent_id);
    if (agent) add(agent, r);
    add(byModel.get(r.model) ?? byModel.set(r.model, emptyLine()).get(r.model)!, r);
    add(byDay.get(r.day) ?? byDay.set(r.day, emptyLine()).get(r.day)!, r);
  }
  const days: CostReport['byDay'] = [];
  for (let d = Math.floor(from / DAY); d * DAY < to; d++)
    days.push({ day: iso(d * DAY).slice(0, 10), ...tidy(byDay.get(d) ?? emptyLine()) });

  // This month up to the end of the current hour, against the previous month's same stretch
  // (cut at that month's end: March 31 compares with all of February).
  const monthStart = startOfUtcMonth(now);
  const prevStart = startOfUtcMonth(now, 1);
  const mtdEnd = Math.floor(now / HOUR) * HOUR + HOUR;
  const prevEnd = Math.min(prevStart + (mtdEnd - monthStart), monthStart);
  const sumCost = (xs: CostRow[]) => money(xs.reduce((s, r) => s + r.cost, 0));
  const current = sumCost(await costRows(em, workspaceId, monthStart, mtdEnd, rawSince));
  const previous = sumCost(await costRows(em, workspaceId, prevStart, prevEnd, rawSince));

  return {
    from: iso(from),
    to: iso(to),
    total: tidy(total),
    byAgent: agents
      .map((a) => ({ agentId: a.id, agentName: a.name, ...tidy(byAgent.get(a.id)!), share: share(byAgent.get(a.id)!.costUsd, total.costUsd) }))
      .sort((x, y) => y.costUsd - x.costUsd || x.agentName.localeCompare(y.agentName)),
    byModel: [...byModel]
      .map(([model, l]) => ({ model, ...tidy(l), share: share(l.costUsd, total.costUsd) }))
      .sort((x, y) => y.costUsd - x.costUsd || x.model.localeCompare(y.model)),
    byDay: days,
    monthToDate: {
      current: { from: iso(monthStart), to: iso(mtdEnd), costUsd: current },
      previous: { from: iso(prevStart), to: iso(prevEnd), costUsd: previous },
      changePct: previous > 0 ? Math.round(((current - previous) / previous) * 1e4) / 100 : null,
    },
  };
}
