// "Ask about this": a session link that carries a chart range for the composer to attach
// (/w/:ws/sessions/:id?ask=agentId~metric~from~to). The server validates it again on send.
import type { MetricRef } from '@tandem/schema';
import { METRIC_LABELS } from './panels.ts';

export function askHref(workspaceId: string, conversationId: string, ref: MetricRef): string {
  return `/w/${workspaceId}/sessions/${conversationId}?ask=${encodeURIComponent([ref.agentId, ref.metric, Math.round(ref.from), Math.round(ref.to)].join('~'))}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The range an askHref carries; null when the parameter is missing or not one. */
export function parseAsk(param: string | string[] | undefined): MetricRef | null {
  const value = Array.isArray(param) ? param[0] : param;
  const [agentId, metric, fromText, toText] = (value ?? '').split('~');
  const from = Number(fromText);
  const to = Number(toText);
  if (!agentId || !UUID.test(agentId) || !metric || !Object.hasOwn(METRIC_LABELS, metric)) return null;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to <= from) return null;
  return { agentId, metric: metric as MetricRef['metric'], from, to };
}
