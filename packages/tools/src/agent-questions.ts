// The offline assistant's reading of questions about AI agents: their status (list_agents) or one
// of their metrics over a range (query_agent_metrics). Keywords only, deterministic for a clock.
import type { MetricName } from '@tandem/schema';
import { isoDay } from './date-range.ts';

export interface AgentQuestionPlan {
  tool: 'list_agents' | 'query_agent_metrics';
  args: Record<string, unknown>;
}

const AGENT_WORDS = /\b(agents?|bots?)\b/;
/** Metrics only agents have: these alone make it an agent question. */
const AGENT_METRICS: [RegExp, MetricName][] = [
  [/\b(latency|latencies|p50|p95|p99|response times?|slow(?:er|est)?)\b/, 'latency_ms'],
  [/\b(error[- ]rates?|fail(?:ing|ures?))\b/, 'error_rate'],
  [/\b(throughput|requests per second|rps|req\/s)\b/, 'throughput'],
  [/\btokens?\b/, 'tokens'],
  [/\bcpu\b/, 'cpu_pct'],
  [/\bgpu\b/, 'gpu_pct'],
  [/\b(memory|ram)\b/, 'memory_mb'],
];
/** Metrics that need agent words around them ("cost" alone could be anything). */
const SHARED_METRICS: [RegExp, MetricName][] = [
  [/\b(costs?|cost|spend(?:ing)?|spent|expensive|bills?|dollars?)\b/, 'cost_usd'],
  [/\berrors?\b/, 'errors'],
  [/\brequests?\b/, 'requests'],
];
/** Hyphenated words that are not agent names. */
const NOT_NAMES = new Set(['month-to-date', 'year-to-date', 'week-over-week', 'day-over-day', 'real-time', 'best-selling', 'e-commerce', 'follow-up']);

/** An agent named in the question: quoted, or a hyphenated word like checkout-bot. */
export function findAgentName(question: string): string | undefined {
  const quoted = /["'`“‘]([A-Za-z0-9][\w.:-]{0,63})["'`”’]/.exec(question);
  if (quoted) return quoted[1];
  const words = question.match(/\b[A-Za-z0-9][\w.:]*(?:-[\w.:]+)+\b/g) ?? [];
  return words.find((w) => !NOT_NAMES.has(w.toLowerCase()) && !/^\d{4}-\d{2}/.test(w));
}

const DAY = 86_400_000;
/** Monday 00:00 UTC of the week `weeksBack` weeks before the one holding `now`. */
const mondayOf = (now: Date, weeksBack = 0) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ((now.getUTCDay() + 6) % 7) - 7 * weeksBack));

type Range = { lastHours?: number; from?: string; to?: string };

/** Ranges people ask agent questions in: hours, today, this or last week; else `otherwise` (the planner's months, years...). */
export function parseAgentRange(q: string, now: Date, otherwise: Range): Range {
  const hours = /\b(?:last|past|previous)\s+(\d{1,4})\s*(?:h|hrs?|hours?)\b/.exec(q);
  if (hours) return { lastHours: Math.max(1, Number(hours[1])) };
  if (/\b(?:last|past|previous) hour\b|\bthe hour\b/.test(q)) return { lastHours: 1 };
  if (/\btoday\b/.test(q)) return { from: isoDay(now) };
  if (/\byesterday\b/.test(q)) return { from: isoDay(new Date(now.getTime() - DAY)), to: isoDay(new Date(now.getTime() - DAY)) };
  if (/\b(this|current) week\b/.test(q)) return { from: isoDay(mondayOf(now)) };
  if (/\b(last|previous) week\b/.test(q)) return { from: isoDay(mondayOf(now, 1)), to: isoDay(new Date(mondayOf(now).getTime() - DAY)) };
  return otherwise;
}

/** The tool call for a question about agents, or null when it is not one. `range`: what the general range parser read. */
export function planAgentQuestion(question: string, now: Date, range: Range): AgentQuestionPlan | null {
  const q = question.toLowerCase();
  const agent = findAgentName(question);
  // A hyphenated word alone could be a product ("T-shirts"); "-bot" / "-agent" names or agent words cannot.
  const aboutAgents = AGENT_WORDS.test(q) || /-(?:bot|agent)s?$/i.test(agent ?? '');
  const metric = AGENT_METRICS.find(([re]) => re.test(q))?.[1] ?? (aboutAgents ? SHARED_METRICS.find(([re]) => re.test(q))?.[1] : undefined);
  if (metric) return { tool: 'query_agent_metrics', args: { metric, ...(agent ? { agent } : {}), ...parseAgentRange(q, now, range) } };
  if (!aboutAgents) return null;
  const status = /\bdegraded\b/.test(q) ? 'degraded' : /\b(down|offline|silent|dead)\b/.test(q) ? 'down' : /\b(healthy|ok|fine)\b/.test(q) ? 'ok' : undefined;
  return { tool: 'list_agents', args: status ? { status } : {} };
}
