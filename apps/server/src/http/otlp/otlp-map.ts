// OTLP → Tandem samples (README "OpenTelemetry (OTLP)" has the table): `service.name` names the
// agent, the GenAI semantic conventions give latency, tokens, requests, errors and the model,
// process / system CPU and memory metrics give cpu_pct and memory_mb, and a known model's list
// price gives the cost. Anything else is counted as ignored and named in the answer, never an error.
// Pure but for the cumulative-series memory it is handed (cumulative-deltas.ts).
import { MAX_SAMPLE_AGE_MS, MAX_SAMPLE_SKEW_MS, agentNameSchema, metricSampleSchema, type MetricField } from '@tandem/schema';
import { costAt, priceOf, type IngestSample } from '@tandem/core';
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

/**
 * Attributes are read where they lie, by a scan of their few entries: cheaper than building a map
 * for each of thousands of points.
 */
type Attrs = KeyValue[] | null | undefined;

function attr(attrs: Attrs, key: string): string | number | boolean | undefined {
  if (attrs) for (const kv of attrs) if (kv.key === key) return scalar(kv.value);
  return undefined;
}

/** The first of the keys holding non-empty text. */
function text(attrs: Attrs, key: string, ...others: string[]): string | undefined {
  const v = attr(attrs, key);
  if (typeof v === 'string' && v) return v;
  return others.length ? text(attrs, others[0]!, ...others.slice(1)) : undefined;
}
const count = (attrs: Attrs, key: string): number | undefined => {
  const v = attr(attrs, key);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

/** A sample being built from one or more data points, with how many points went into it. */
interface Draft {
  /** The sample itself (agent, ts, labels), its metric fields written as points are added. */
  sample: IngestSample & Partial<Record<MetricField, number>>;
  model?: string;
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
  /** One labels object per model, shared by its samples (nothing downstream changes labels). */
  private readonly labels = new Map<string, { model: string }>();

  at(agent: string, ts: number, model?: string): Draft {
    const key = `${agent}\u0000${ts}\u0000${model ?? ''}`;
    let draft = this.byKey.get(key);
    if (!draft) {
      draft = { sample: { agent, ts }, model, points: 0 };
      if (model) draft.sample.labels = this.labelsOf(model);
      this.byKey.set(key, draft);
    }
    return draft;
  }
  labelsOf(model: string): { model: string } {
    let labels = this.labels.get(model);
    if (!labels) this.labels.set(model, (labels = { model }));
    return labels;
  }
  all(): Draft[] {
    return [...this.byKey.values()];
  }
}

const add = (draft: Draft, field: MetricField, n: number) => {
  draft.sample[field] = (draft.sample[field] ?? 0) + n;
};

/** The agent of a resource: `service.name`, or null when it is not a valid agent name. */
function agentOf(resourceAttrs: KeyValue[] | null | undefined): { agent: string } | { invalid: string } {
  const name = text(resourceAttrs, 'service.name') ?? UNKNOWN_SERVICE;
  return agentNameSchema.safeParse(name).success ? { agent: name } : { invalid: `service.name ${JSON.stringify(name.slice(0, 80))} is not a valid agent name (letters, digits, . _ : -; at most 64)` };
}

type PointKind = 'gauge' | 'sum' | 'histogram';
/** A metric's points as Tandem reads them: number points (gauge, sum) or count-and-sum points. */
type Data =
  | { kind: 'gauge' | 'sum'; points: NumberDataPoint[]; cumulative: boolean }
  | { kind: 'histogram'; points: CountSumDataPoint[]; cumulative: boolean };

function dataOf(metric: Metric): Data {
  if (metric.gauge) return { kind: 'gauge', points: metric.gauge.dataPoints ?? [], cumulative: false };
  if (metric.sum) return { kind: 'sum', points: metric.sum.dataPoints ?? [], cumulative: metric.sum.aggregationTemporality === 2 };
  if (metric.histogram) return { kind: 'histogram', points: metric.histogram.dataPoints ?? [], cumulative: metric.histogram.aggregationTemporality === 2 };
  const exp = metric.exponentialHistogram;
  if (exp) return { kind: 'histogram', points: exp.dataPoints ?? [], cumulative: exp.aggregationTemporality === 2 };
  // Summaries are cumulative by definition.
  if (metric.summary) return { kind: 'histogram', points: metric.summary.dataPoints ?? [], cumulative: true };
  return { kind: 'gauge', points: [], cumulative: false };
}

/** The metrics mapPoint reads; points of any other are ignored without being looked at. */
const MAPPED_METRICS = new Set([
  'gen_ai.client.token.usage', 'gen_ai.client.operation.duration',
  'process.cpu.utilization', 'system.cpu.utilization', 'process.memory.usage', 'system.memory.usage',
]);

const seriesKey = (scope: string, agent: string, name: string, attrs: Attrs) =>
  `${scope}\u0000${agent}\u0000${name}\u0000${(attrs ?? []).map((kv) => `${kv.key ?? ''}=${String(scalar(kv.value))}`).sort().join('\u0001')}`;

const modelOf = (attrs: Attrs) => text(attrs, 'gen_ai.response.model', 'gen_ai.request.model');
const cpuMode = (attrs: Attrs) => text(attrs, 'cpu.mode', 'process.cpu.state', 'system.cpu.state', 'state');
const memoryState = (attrs: Attrs) => text(attrs, 'system.memory.state', 'state');

interface MapContext {
  scope: string;
  deltas: CumulativeDeltas;
  agent: string;
  drafts: Drafts;
}

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
      tally.refuse(owner.invalid, metrics.reduce((n, m) => n + dataOf(m).points.length, 0));
      continue;
    }
    const ctx: MapContext = { scope: opts.scope, deltas: opts.deltas, agent: owner.agent, drafts };
    for (const metric of metrics) {
      const name = metric.name ?? '';
      const data = dataOf(metric);
      if (!MAPPED_METRICS.has(name)) {
        if (data.points.length) tally.ignore(name || '(unnamed metric)', data.points.length);
        continue;
      }
      // Plain loops, no closure per point: a request holds thousands of points.
      if (data.kind === 'histogram') {
        for (const dp of data.points) if (!mapCountSum(name, dp, data.cumulative, ctx)) tally.ignore(name);
      } else {
        for (const dp of data.points) if (!mapNumber(name, data.kind, dp, ctx)) tally.ignore(name);
      }
    }
  }
  return finish(drafts, tally, 'data points', opts.now);
}

/** The increase of a histogram-like point over its interval (cumulative: since its last export), or null. */
function increaseOf(name: string, dp: CountSumDataPoint, attrs: Attrs, cumulative: boolean, ctx: MapContext): { count: number; sum: number } | null {
  const now = { count: toNumber(dp.count), sum: dp.sum ?? 0 };
  if (!cumulative) return now;
  return ctx.deltas.delta(seriesKey(ctx.scope, ctx.agent, name, attrs), nanosToMs(dp.startTimeUnixNano), nanosToMs(dp.timeUnixNano), now);
}

/** GenAI histograms; false when Tandem maps nothing from the point (ignored). */
function mapCountSum(name: string, dp: CountSumDataPoint, cumulative: boolean, ctx: MapContext): boolean {
  const attrs = dp.attributes;
  if (name === 'gen_ai.client.token.usage') {
    const type = text(attrs, 'gen_ai.token.type');
    if (type !== 'input' && type !== 'output') return false;
    const inc = increaseOf(name, dp, attrs, cumulative, ctx);
    if (!inc || inc.count <= 0) return true; // nothing happened this interval: mapped, nothing to store
    const draft = ctx.drafts.at(ctx.agent, nanosToMs(dp.timeUnixNano), modelOf(attrs));
    add(draft, type === 'input' ? 'tokens_in' : 'tokens_out', Math.round(inc.sum));
    draft.points++;
    return true;
  }
  if (name === 'gen_ai.client.operation.duration') {
    const inc = increaseOf(name, dp, attrs, cumulative, ctx);
    if (!inc || inc.count <= 0) return true;
    const draft = ctx.drafts.at(ctx.agent, nanosToMs(dp.timeUnixNano), modelOf(attrs));
    // Seconds (the convention's unit) → milliseconds, averaged over the operations of the interval.
    draft.latencyWeight = (draft.latencyWeight ?? 0) + inc.sum * 1000;
    add(draft, 'requests', inc.count);
    add(draft, 'errors', attr(attrs, 'error.type') !== undefined ? inc.count : 0);
    draft.points++;
    return true;
  }
  return false;
}

/** CPU and memory gauges and sums (absolute values: no increments); false when ignored. */
function mapNumber(name: string, kind: PointKind, dp: NumberDataPoint, ctx: MapContext): boolean {
  if (kind === 'histogram' || name.startsWith('gen_ai.')) return false;
  const attrs = dp.attributes;
  const value = dp.asDouble ?? toNumber(dp.asInt);
  if (name.endsWith('.cpu.utilization')) {
    const mode = cpuMode(attrs);
    const draft = ctx.drafts.at(ctx.agent, nanosToMs(dp.timeUnixNano));
    // The system's idle (and I/O wait) time is not busy; a process has no idle mode.
    const busy = mode !== 'idle' && mode !== 'wait' && mode !== 'iowait';
    draft.cpuBusy = (draft.cpuBusy ?? 0) + (busy ? value : 0);
    const cpu = attr(attrs, 'cpu.logical_number') ?? attr(attrs, 'cpu');
    if (cpu !== undefined) (draft.cpus ??= new Set()).add(String(cpu));
    draft.points++;
    return true;
  }
  // process.memory.usage, system.memory.usage
  const fromProcess = name.startsWith('process.');
  if (!fromProcess && memoryState(attrs) !== 'used') return false;
  const draft = ctx.drafts.at(ctx.agent, nanosToMs(dp.timeUnixNano));
  if (fromProcess || !draft.memoryFromProcess) draft.sample.memory_mb = value / BYTES_PER_MB;
  draft.memoryFromProcess ||= fromProcess;
  draft.points++;
  return true;
}

/** ExportTraceServiceRequest → one sample per GenAI model-call span. */
export function mapTraces(request: ExportTraceRequest, opts: { now: number }): OtlpMapping {
  const tally = new Tally();
  const drafts: Draft[] = [];
  const shared = new Drafts(); // for its labels per model
  for (const rs of request.resourceSpans ?? []) {
    const spans = (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? []);
    const owner = agentOf(rs.resource?.attributes);
    if ('invalid' in owner) {
      tally.refuse(owner.invalid, spans.length);
      continue;
    }
    for (const span of spans) {
      const draft = spanDraft(owner.agent, span, shared);
      if (draft) drafts.push(draft);
      else tally.ignore(span.name || '(unnamed span)');
    }
  }
  return finishDrafts(drafts, tally, 'spans', opts.now);
}

function spanDraft(agent: string, span: Span, shared: Drafts): Draft | null {
  const attrs = span.attributes;
  const operation = text(attrs, 'gen_ai.operation.name');
  const model = modelOf(attrs);
  if (operation ? !MODEL_CALLS.has(operation) : !model) return null;
  const start = toNumber(span.startTimeUnixNano);
  const end = toNumber(span.endTimeUnixNano);
  const sample: Draft['sample'] = { agent, ts: Math.round(end / 1e6), requests: 1, errors: span.status?.code === 2 ? 1 : 0 };
  if (model) sample.labels = shared.labelsOf(model);
  if (end >= start && start > 0) sample.latency_ms = nanosBetween(span.startTimeUnixNano, span.endTimeUnixNano) / 1e6;
  const tokensIn = count(attrs, 'gen_ai.usage.input_tokens');
  const tokensOut = count(attrs, 'gen_ai.usage.output_tokens');
  if (tokensIn !== undefined) sample.tokens_in = tokensIn;
  if (tokensOut !== undefined) sample.tokens_out = tokensOut;
  // Not a convention yet, but sent by some instrumentations; the price table fills in otherwise.
  const cost = count(attrs, 'gen_ai.usage.cost');
  if (cost !== undefined) sample.cost_usd = cost;
  return { sample, model, points: 1 };
}

function finish(drafts: Drafts, tally: Tally, unit: string, now: number): OtlpMapping {
  return finishDrafts(drafts.all(), tally, unit, now);
}

/** Drafts → valid samples (cpu and latency settled, cost priced); invalid ones refused with their points. */
function finishDrafts(drafts: Draft[], tally: Tally, unit: string, now: number): OtlpMapping {
  const samples: IngestSample[] = [];
  const prices = new Map<string, ReturnType<typeof priceOf>>();
  for (const d of drafts) {
    const s = d.sample;
    if (d.latencyWeight !== undefined && s.requests) s.latency_ms = d.latencyWeight / s.requests;
    if (d.cpuBusy !== undefined) s.cpu_pct = Math.min(100, (100 * d.cpuBusy) / Math.max(1, d.cpus?.size ?? 1));
    if (s.cost_usd === undefined && d.model && (s.tokens_in || s.tokens_out)) {
      let price = prices.get(d.model);
      if (price === undefined) prices.set(d.model, (price = priceOf(d.model)));
      if (price) s.cost_usd = costAt(price, s.tokens_in ?? 0, s.tokens_out ?? 0);
    }
    const checked = checkSample(s, now);
    if (typeof checked === 'string') tally.refuse(checked, d.points);
    else samples.push(checked);
  }
  return { samples, rejected: tally.rejected, reasons: tally.reasons(unit) };
}

/** The sample as stored, or why it cannot be (the rules of POST /api/v1/metrics). */
function checkSample(sample: IngestSample, now: number): IngestSample | string {
  const ts = sample.ts;
  if (!(ts > 0)) return 'no time';
  if (ts < now - MAX_SAMPLE_AGE_MS) return `older than ${MAX_SAMPLE_AGE_MS / 86_400_000} days`;
  if (ts > now + MAX_SAMPLE_SKEW_MS) return `more than ${MAX_SAMPLE_SKEW_MS / 60_000} minutes ahead of the server clock`;
  if (isPlainValidSample(sample, 'agent')) return sample;
  const { agent, ...rest } = sample;
  const parsed = metricSampleSchema.safeParse(rest);
  if (parsed.success) return { ...parsed.data, agent };
  const issue = parsed.error.issues[0]!;
  return `${issue.path.join('.') || 'sample'} ${issue.message}`;
}
