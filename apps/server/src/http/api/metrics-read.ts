// GET /api/v1/agents and GET /api/v1/metrics: reads for scripts, with a user token
// (Authorization: Bearer) and `?workspaceId=`.
import {
  AppError, USER_STATEMENT_TIMEOUT_MS, User, accessToWorkspace, databaseRefusal, findAgent, isStatementTimeout, listAgents,
  queryMetrics,
} from '@tandem/core';
import { METRIC_NAMES, idSchema, metricAggregates, metricsQueryInput, type MetricName } from '@tandem/schema';
import { bearerToken } from '../../context.ts';
import type { ApiContext } from './index.ts';
import { sendJson } from './respond.ts';

/** As many agents as metrics.query takes (its agentIds). */
const MAX_AGENT_REFS = 50;

interface Problem {
  field: string;
  message: string;
}

/**
 * The caller's workspace, or null after answering 401 / 400 / 404 itself. The same checks as
 * tRPC's workspaceProcedure: bad or revoked token → 401, not a member or unknown workspace → 404,
 * bad parameters → 400.
 */
export async function authorize({ services: { rt }, req, res, url }: ApiContext): Promise<{ workspaceId: string; userId: string } | null> {
  const token = bearerToken(req.headers.authorization);
  if (!token) {
    sendJson(res, 401, { error: 'Sign in first: Authorization: Bearer <token>' }, { 'www-authenticate': 'Bearer' });
    return null;
  }
  const claims = await rt.tokens.verify(token).catch(() => null);
  const em = rt.orm.em.fork();
  const user = claims && claims.expiresAt > Date.now() ? await em.findOne(User, { id: claims.userId }) : null;
  if (!claims || !user || user.tokenVersion !== claims.tokenVersion) {
    sendJson(res, 401, { error: 'The token is invalid, expired or signed out' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    return null;
  }
  const workspaceId = idSchema.safeParse(url.searchParams.get('workspaceId'));
  if (!workspaceId.success) {
    sendJson(res, 400, { error: 'workspaceId is required', problems: [{ field: 'workspaceId', message: 'must be an id' }] });
    return null;
  }
  if (!(await accessToWorkspace(em, workspaceId.data, user.id))) {
    sendJson(res, 404, { error: 'Workspace not found' });
    return null;
  }
  return { workspaceId: workspaceId.data, userId: user.id };
}

/** Repeated and comma-separated values of a parameter. */
const listParam = (url: URL, name: string) => url.searchParams.getAll(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

/** Epoch milliseconds or an ISO-8601 date-time. */
export function parseTime(value: string): number | null {
  if (/^\d{1,15}$/.test(value)) return Number(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** "60000" (ms), "30s", "5m", "1h", "1d". */
function parseStep(value: string): number | null {
  const m = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(value);
  return m ? Number(m[1]) * UNIT_MS[(m[2] ?? 'ms') as keyof typeof UNIT_MS] : null;
}

function answerError(res: ApiContext['res'], err: unknown): void {
  if (isStatementTimeout(err))
    return sendJson(res, 408, { error: `The query took longer than ${USER_STATEMENT_TIMEOUT_MS / 1000} s; ask for a shorter range or fewer agents` });
  if (err instanceof AppError && err.code === 'TOO_MANY_REQUESTS')
    return sendJson(res, 429, { error: err.message }, { 'retry-after': String(Math.max(1, Math.ceil((err.details.retryAfterMs ?? 1000) / 1000))) });
  // A value the database refused is the caller's to fix (issue 14), like a domain error.
  const failure = err instanceof AppError ? err : databaseRefusal(err);
  if (!failure || failure.code === 'SERVICE_UNAVAILABLE' || failure.code === 'TOO_MANY_REQUESTS') throw err;
  sendJson(res, failure.httpStatus, { error: failure.message, ...(failure.details.field ? { problems: [{ field: failure.details.field, message: failure.message }] } : {}) });
}

export async function handleAgentsRead(ctx: ApiContext): Promise<void> {
  const scope = await authorize(ctx);
  if (!scope) return;
  sendJson(ctx.res, 200, { agents: await listAgents(ctx.services.rt.orm.em.fork(), scope.workspaceId) });
}

/** `?workspaceId=&agent=<name or id>&metric=latency_ms:p95&from=&to=&step=&width=` → metrics.query's answer. */
export async function handleMetricsRead(ctx: ApiContext): Promise<void> {
  const scope = await authorize(ctx);
  if (!scope) return;
  const { url, res, services: { rt } } = ctx;
  const problems: Problem[] = [];

  const metrics = listParam(url, 'metric').map((spec) => {
    const [name, agg = 'avg'] = spec.split(':');
    if (!(METRIC_NAMES as readonly string[]).includes(name!)) problems.push({ field: 'metric', message: `unknown metric "${name}"; one of ${METRIC_NAMES.join(', ')}` });
    else if (!(metricAggregates(name as MetricName) as readonly string[]).includes(agg)) problems.push({ field: 'metric', message: `${name} answers ${metricAggregates(name as MetricName).join(', ')}` });
    return { name, agg };
  });
  if (!metrics.length) problems.push({ field: 'metric', message: 'name at least one metric, e.g. metric=latency_ms:p95' });
  const time = (field: 'from' | 'to', fallback: number) => {
    const raw = url.searchParams.get(field);
    if (raw === null) return fallback;
    const ms = parseTime(raw);
    if (ms === null) problems.push({ field, message: 'must be epoch milliseconds or an ISO-8601 date-time' });
    return ms ?? fallback;
  };
  const to = time('to', Date.now());
  const from = time('from', to - 3_600_000);
  const stepRaw = url.searchParams.get('step');
  const stepMs = stepRaw === null ? undefined : parseStep(stepRaw);
  if (stepMs === null) problems.push({ field: 'step', message: 'must be milliseconds or a duration like 30s, 5m, 1h, 1d' });
  const widthRaw = url.searchParams.get('width');
  if (problems.length) return sendJson(res, 400, { error: 'Invalid parameters', problems });

  try {
    const em = rt.orm.em.fork();
    // Counted before any is resolved: each ref is a query, and a URL can hold thousands.
    const given = listParam(url, 'agent');
    if (given.length > MAX_AGENT_REFS)
      return sendJson(res, 400, { error: 'Invalid parameters', problems: [{ field: 'agent', message: `name at most ${MAX_AGENT_REFS} agents (got ${given.length})` }] });
    const refs = [...new Set(given)];
    const agentIds: string[] = [];
    for (const ref of refs) agentIds.push((await findAgent(em, scope.workspaceId, ref)).id);
    const input = metricsQueryInput.safeParse({
      workspaceId: scope.workspaceId, agentIds: refs.length ? agentIds : undefined, metrics, from, to, stepMs: stepMs ?? undefined,
      ...(widthRaw === null ? {} : { width: Number(widthRaw) }),
    });
    if (!input.success) {
      const field = (path: PropertyKey[]) => (path[0] === 'metrics' ? 'metric' : path[0] === 'stepMs' ? 'step' : path[0] === 'agentIds' ? 'agent' : String(path[0] ?? 'input'));
      return sendJson(res, 400, { error: 'Invalid parameters', problems: input.error.issues.map((i) => ({ field: field(i.path), message: i.message })) });
    }
    // The same bounds as metrics.query (trpc.ts expensiveQuery): a few per user, a statement timeout.
    sendJson(res, 200, await ctx.services.heavy.run(`user:${scope.userId}`, async () =>
      queryMetrics(await ctx.services.userQueries.em(), scope.workspaceId, input.data, { rawRetentionDays: rt.config.METRICS_RAW_RETENTION_DAYS })));
  } catch (err) {
    answerError(res, err);
  }
}

