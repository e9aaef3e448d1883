// OTLP → Tandem samples (README "OpenTelemetry (OTLP)" has the table): `service.name` names the
// agent, the GenAI semantic conventions give latency, tokens, requests, errors and the model,
// process / system CPU and memory metrics give cpu_pct and memory_mb, and a known model's list
// price gives the cost. Anything else is counted as ignored and named in the answer, never an error.
// Pure but for the cumulative-series memory it is handed (cumulative-deltas.ts).
import { MAX_SAMPLE_AGE_MS, MAX_SAMPLE_SKEW_MS, agentNameSchema, metricSampleSchema, type MetricField, type MetricSample } from '@tandem/schema';
import { costOf, type IngestSample } from '@tandem/core';
import { isPlainValidSample } from '../api/sample-check.ts';
import type { CumulativeDeltas } from './cumulative-deltas.ts';
import type {
  AnyValue, CountSumDataPoint, ExportMetricsRequest, ExportTraceRequest, Int64, KeyValue, Metric, NumberDataPoint, Span,
} from './otlp-proto.ts';

/** What a request maps to: the samples to store, and the data points (or spans) not stored and why. */
export interface OtlpMapping {
  samples: IngestSample[];
  /** Data points (metrics) or spans (traces) ignored or refused: partial_success's rejected count. */
  rejected: number;
  /** One line per reason, for partial_success's error_message. */
  reasons: string[];
}

/** semconv: an unnamed service. */
export const UNKNOWN_SERVICE = 'unknown_service';
const MAX_NAMES_LISTED = 5;
const BYTES_PER_MB = 1024 * 1024;
/** gen_ai.operation.name values that are one call of a model (invoke_agent, execute_tool… are not). */
const MODEL_CALLS = new Set(['chat', 'text_completion', 'generate_content', 'embeddings']);

const toNumber = (v: Int64): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());
const nanosToMs = (v: Int64): number => Math.round(toNumber(v) / 1e6);
/**
 * end − start in nanoseconds, exact for protobuf.js Longs (epoch nanoseconds pass 2^53, so as
 * doubles they differ by whole microseconds), to the microsecond otherwise.
 */
function nanosBetween(start: Int64, end: Int64): number {
  if (typeof start === 'object' && start && typeof end === 'object' && end && 'subtract' in end) {
    return (end as { subtract(other: unknown): { toNumber(): number } }).subtract(start).toNumber();
  }
  return Math.round((toNumber(end) - toNumber(start)) / 1000) * 1000;
}

function scalar(value: AnyValue | null | undefined): string | number | boolean | undefined {
  if (!value) return undefined;
  if (value.stringValue !== null && value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== null && value.intValue !== undefined) return toNumber(value.intValue);
  if (value.doubleValue !== null && value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== null && value.boolValue !== undefined) return value.boolValue;
  return undefined;
}

function attributes(list: KeyValue[] | null | undefined): Map<string, string | number | boolean> {
  const out = new Map<string, string | number | boolean>();
  for (const kv of list ?? []) {
    const v = scalar(kv.value);
    if (kv.key && v !== undefined) out.set(kv.key, v);
  }
  return out;
}

const text = (attrs: Map<string, unknown>, ...keys: string[]): string | undefined => {
  for (const key of keys) {
    const v = attrs.get(key);
    if (typeof v === 'string' && v) return v;
  }
  return undefined;
};
const count = (attrs: Map<string, unknown>, key: string): number | undefined => {
  const v = attrs.get(key);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

/** A sample being built from one or more data points, with how many points went into it. */
interface Draft {
  agent: string;
  ts: number;
  model?: string;
  fields: Partial<Record<MetricField, number>>;
  points: number;
  /** Sum of latency × requests, to average latency over the points merged here. */
  latencyWeight?: number;
  /** CPU: busy share summed over modes, and the logical CPUs seen, turned into cpu_pct at the end. */
  cpuBusy?: number;
  cpus?: Set<string>;
  /** Memory from process.* wins over system.* at the same instant. */
  memoryFromProcess?: boolean;
}

/** Rejected points by reason, and ignored points by metric (or span) name. */
class Tally {
  rejected = 0;
  private readonly ignoredNames = new Map<string, number>();
  private readonly refusals = new Map<string, number>();

  ignore(name: string, n = 1): void {
    this.rejected += n;
    this.ignoredNames.set(name, (this.ignoredNames.get(name) ?? 0) + n);
  }
  refuse(reason: string, n = 1): void {
    this.rejected += n;
    this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + n);
  }
  reasons(unit: string): string[] {
    const out = [...this.refusals].map(([reason, n]) => `${n} ${unit} refused: ${reason}`);
    if (this.ignoredNames.size) {
      const names = [...this.ignoredNames.keys()];
      const listed = names.slice(0, MAX_NAMES_LISTED).join(', ') + (names.length > MAX_NAMES_LISTED ? ` and ${names.length - MAX_NAMES_LISTED} more` : '');
      const n = [...this.ignoredNames.values()].reduce((a, b) => a + b, 0);
      out.push(`${n} ${unit} ignored: Tandem maps no data from ${listed}`);
    }
    return out;
  }
}

class Drafts {
  private readonly byKey = new Map<string, Draft>();

  at(agent: string, ts: number, model?: string): Draft {
    const key = `${agent}\u0000${ts}\u0000${model ?? ''}`;
    let draft = this.byKey.get(key);
    if (!draft) {
      draft = { agent, ts, model, fields: {}, points: 0 };
      this.byKey.set(key, draft);
    }
    return draft;
  }
  all(): Draft[] {
    return [...this.byKey.values()];
  }
}

const add = (draft: Draft, field: MetricField, n: number) => {
  draft.fields[field] = (draft.fields[field] ?? 0) + n;
};

/** The agent of a resource: `service.name`, or null when it is not a valid agent name. */
function agentOf(resourceAttrs: KeyValue[] | null | undefined): { agent: string } | { invalid: string } {
  const name = text(attributes(resourceAttrs), 'service.name') ?? UNKNOWN_SERVICE;
  return agentNameSchema.safeParse(name).success ? { agent: name } : { invalid: `service.name ${JSON.stringify(name.slice(0, 80))} is not a valid agent name (letters, digits, . _ : -; at most 64)` };
}

type PointKind = 'gauge' | 'sum' | 'histogram';
interface Point {
  kind: PointKind;
  attrs: Map<string, string | number | boolean>;
  startMs: number;
  ts: number;
  /** Gauge and sum: the value; histogram-like: count and sum. */
  value: number;
  count: number;
  cumulative: boolean;
}

function pointsOf(metric: Metric): Point[] {
  const number = (kind: PointKind, dps: NumberDataPoint[] | null | undefined, cumulative: boolean): Point[] => (dps ?? []).map((dp) => ({
    kind, attrs: attributes(dp.attributes), startMs: nanosToMs(dp.startTimeUnixNano), ts: nanosToMs(dp.timeUnixNano),
    value: dp.asDouble ?? toNumber(dp.asInt), count: 0, cumulative,
  }));
  const countSum = (dps: CountSumDataPoint[] | null | undefined, cumulative: boolean): Point[] => (dps ?? []).map((dp) => ({
    kind: 'histogram', attrs: attributes(dp.attributes), startMs: nanosToMs(dp.startTimeUnixNano), ts: nanosToMs(dp.timeUnixNano),
    value: dp.sum ?? 0, count: toNumber(dp.count), cumulative,
  }));
  if (metric.gauge) return number('gauge', metric.gauge.dataPoints, false);
  if (metric.sum) return number('sum', metric.sum.dataPoints, metric.sum.aggregationTemporality === 2);
  if (metric.histogram) return countSum(metric.histogram.dataPoints, metric.histogram.aggregationTemporality === 2);
  if (metric.exponentialHistogram) return countSum(metric.exponentialHistogram.dataPoints, metric.exponentialHistogram.aggregationTemporality === 2);
  // Summaries are cumulative by definition.
  if (metric.summary) return countSum(metric.summary.dataPoints, true);
  return [];
}

const seriesKey = (scope: string, agent: string, name: string, attrs: Map<string, unknown>) =>
  `${scope}\u0000${agent}\u0000${name}\u0000${[...attrs].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${String(v)}`).join('\u0001')}`;

const modelOf = (attrs: Map<string, unknown>) => text(attrs, 'gen_ai.response.model', 'gen_ai.request.model');
const cpuMode = (attrs: Map<string, unknown>) => text(attrs, 'cpu.mode', 'process.cpu.state', 'system.cpu.state', 'state');
const memoryState = (attrs: Map<string, unknown>) => text(attrs, 'system.memory.state', 'state');

/**
 * ExportMetricsServiceRequest → samples. `scope` keeps cumulative series of different ingest keys
 * apart in `deltas`.
 */
export function mapMetrics(request: ExportMetricsRequest, opts: { scope: string; deltas: CumulativeDeltas; now: number }): OtlpMapping {
  const tally = new Tally();
  const drafts = new Drafts();
  for (const rm of request.resourceMetrics ?? []) {
    const metrics = (rm.scopeMetrics ?? []).flatMap((sm) => sm.metrics ?? []);
    const owner = agentOf(rm.resource?.attributes);
    if ('invalid' in owner) {
      tally.refuse(owner.invalid, metrics.reduce((n, m) => n + pointsOf(m).length, 0));
      continue;
    }
    const { agent } = owner;
    for (const metric of metrics) {
      const name = metric.name ?? '';
      for (const p of pointsOf(metric)) {
        // Increments of cumulative series since their last export (histograms: count and sum).
        const increase = (): { count: number; sum: number } | null => {
          if (!p.cumulative) return { count: p.count, sum: p.value };
          return opts.deltas.delta(seriesKey(opts.scope, agent, name, p.attrs), p.startMs, p.ts, { count: p.count, sum: p.value });
        };
        if (!mapPoint(name, p, agent, drafts, increase)) tally.ignore(name || '(unnamed metric)');
      }
    }
  }
  return finish(drafts, tally, 'data points', opts.now);
}

/** Adds one data point to its sample; false when Tandem maps nothing from it (ignored). */
function mapPoint(name: string, p: Point, agent: string, drafts: Drafts, increase: () => { count: number; sum: number } | null): boolean {
  switch (name) {
    case 'gen_ai.client.token.usage': {
      const type = text(p.attrs, 'gen_ai.token.type');
      if (p.kind !== 'histogram' || (type !== 'input' && type !== 'output')) return false;
      const inc = increase();
      if (!inc || inc.count <= 0) return true; // nothing happened this interval: mapped, nothing to store
      const draft = drafts.at(agent, p.ts, modelOf(p.attrs));
      add(draft, type === 'input' ? 'tokens_in' : 'tokens_out', Math.round(inc.sum));
      draft.points++;
      return true;
    }
    case 'gen_ai.client.operation.duration': {
      if (p.kind !== 'histogram') return false;
      const inc = increase();
      if (!inc || inc.count <= 0) return true;
      const draft = drafts.at(agent, p.ts, modelOf(p.attrs));
      // Seconds (the convention's unit) → milliseconds, averaged over the operations of the interval.
      draft.latencyWeight = (draft.latencyWeight ?? 0) + inc.sum * 1000;
      add(draft, 'requests', inc.count);
      add(draft, 'errors', p.attrs.has('error.type') ? inc.count : 0);
      draft.points++;
      return true;
    }
    case 'process.cpu.utilization':
    case 'system.cpu.utilization': {
      if (p.kind === 'histogram') return false;
      const mode = cpuMode(p.attrs);
      const draft = drafts.at(agent, p.ts);
      // The system's idle (and I/O wait) time is not busy; a process has no idle mode.
      const busy = mode !== 'idle' && mode !== 'wait' && mode !== 'iowait';
      draft.cpuBusy = (draft.cpuBusy ?? 0) + (busy ? p.value : 0);
      const cpu = p.attrs.get('cpu.logical_number') ?? p.attrs.get('cpu');
      if (cpu !== undefined) (draft.cpus ??= new Set()).add(String(cpu));
      draft.points++;
      return true;
    }
    case 'process.memory.usage':
    case 'system.memory.usage': {
      if (p.kind === 'histogram') return false;
      const fromProcess = name.startsWith('process.');
      if (!fromProcess && memoryState(p.attrs) !== 'used') return false;
      const draft = drafts.at(agent, p.ts);
      if (fromProcess || !draft.memoryFromProcess) draft.fields.memory_mb = p.value / BYTES_PER_MB;
      draft.memoryFromProcess ||= fromProcess;
      draft.points++;
      return true;
    }
    default:
      return false;
  }
}

/** ExportTraceServiceRequest → one sample per GenAI model-call span. */
export function mapTraces(request: ExportTraceRequest, opts: { now: number }): OtlpMapping {
  const tally = new Tally();
  const drafts: Draft[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const spans = (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? []);
    const owner = agentOf(rs.resource?.attributes);
    if ('invalid' in owner) {
      tally.refuse(owner.invalid, spans.length);
      continue;
    }
    for (const span of spans) {
      const draft = spanDraft(owner.agent, span);
      if (draft) drafts.push(draft);
      else tally.ignore(span.name || '(unnamed span)');
    }
  }
  return finishDrafts(drafts, tally, 'spans', opts.now);
}

function spanDraft(agent: string, span: Span): Draft | null {
  const attrs = attributes(span.attributes);
  const operation = text(attrs, 'gen_ai.operation.name');
  const model = modelOf(attrs);
  if (operation ? !MODEL_CALLS.has(operation) : !model) return null;
  const start = toNumber(span.startTimeUnixNano);
  const end = toNumber(span.endTimeUnixNano);
  const draft: Draft = { agent, ts: Math.round(end / 1e6), model, fields: { requests: 1, errors: span.status?.code === 2 ? 1 : 0 }, points: 1 };
  if (end >= start && start > 0) draft.fields.latency_ms = nanosBetween(span.startTimeUnixNano, span.endTimeUnixNano) / 1e6;
  const tokensIn = count(attrs, 'gen_ai.usage.input_tokens');
  const tokensOut = count(attrs, 'gen_ai.usage.output_tokens');
  if (tokensIn !== undefined) draft.fields.tokens_in = tokensIn;
  if (tokensOut !== undefined) draft.fields.tokens_out = tokensOut;
  // Not a convention yet, but sent by some instrumentations; the price table fills in otherwise.
  const cost = count(attrs, 'gen_ai.usage.cost');
  if (cost !== undefined) draft.fields.cost_usd = cost;
  return draft;
}

function finish(drafts: Drafts, tally: Tally, unit: string, now: number): OtlpMapping {
  return finishDrafts(drafts.all(), tally, unit, now);
}

/** Drafts → valid samples (cpu and latency settled, cost priced); invalid ones refused with their points. */
function finishDrafts(drafts: Draft[], tally: Tally, unit: string, now: number): OtlpMapping {
  const samples: IngestSample[] = [];
  for (const d of drafts) {
    const f = d.fields;
    if (d.latencyWeight !== undefined && f.requests) f.latency_ms = d.latencyWeight / f.requests;
    if (d.cpuBusy !== undefined) f.cpu_pct = Math.min(100, (100 * d.cpuBusy) / Math.max(1, d.cpus?.size ?? 1));
    if (f.cost_usd === undefined && d.model && (f.tokens_in || f.tokens_out)) {
      const cost = costOf(d.model, f.tokens_in ?? 0, f.tokens_out ?? 0);
      if (cost !== null) f.cost_usd = cost;
    }
    const sample: Record<string, unknown> = { ts: d.ts, ...f };
    if (d.model) sample.labels = { model: d.model };
    const checked = checkSample(sample, now);
    if ('problem' in checked) tally.refuse(checked.problem, d.points);
    else samples.push({ ...checked.sample, agent: d.agent });
  }
  return { samples, rejected: tally.rejected, reasons: tally.reasons(unit) };
}

/** The sample as stored, or why it cannot be (the rules of POST /api/v1/metrics). */
function checkSample(sample: Record<string, unknown>, now: number): { sample: MetricSample } | { problem: string } {
  const ts = sample.ts as number;
  if (!(ts > 0)) return { problem: 'no time' };
  if (ts < now - MAX_SAMPLE_AGE_MS) return { problem: `older than ${MAX_SAMPLE_AGE_MS / 86_400_000} days` };
  if (ts > now + MAX_SAMPLE_SKEW_MS) return { problem: `more than ${MAX_SAMPLE_SKEW_MS / 60_000} minutes ahead of the server clock` };
  if (isPlainValidSample(sample)) return { sample: sample as MetricSample };
  const parsed = metricSampleSchema.safeParse(sample);
  if (parsed.success) return { sample: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { problem: `${issue.path.join('.') || 'sample'} ${issue.message}` };
}
