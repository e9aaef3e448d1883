// What the dashboard can chart: one panel per metric, the aggregates it asks for, its unit and
// how its numbers read; plus the time ranges of the range picker.
import type { Aggregate, MetricName } from './api.ts';

export interface PanelSpec {
  metric: MetricName;
  title: string;
  /** What one value means, shown under the title. */
  unit: string;
  /** One series per agent and aggregate; the first is drawn solid, the others dashed. */
  aggs: Aggregate[];
  format: (value: number) => string;
  /** Axis labels, when they need the tick spacing to agree on decimals. */
  formatTick?: (value: number, increment: number) => string;
  /** Top of the axis while there is nothing above zero to show. */
  emptyMax?: number;
}

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const dollars = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const cents = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumSignificantDigits: 2, maximumSignificantDigits: 2 });

export function formatMs(value: number): string {
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  return `${Math.round(value)} ms`;
}

/** "$443.96", "$0.0042", "< $0.0001": dollars to the cent, small amounts to two digits. */
export function formatUsd(value: number): string {
  if (value === 0 || Math.abs(value) >= 1) return dollars.format(value);
  if (Math.abs(value) < 0.0001) return value > 0 ? '< $0.0001' : '> −$0.0001';
  return cents.format(value);
}

/** The fewest decimals that write `increment` exactly (0.0025 → 4), so ticks never round together. */
function decimalsOf(increment: number): number {
  for (let d = 0; d < 8; d++) {
    const scaled = increment * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6) return d;
  }
  return 8;
}

/** "$0.0025", "$0.0050", "$0.0075": one number of decimals per axis, enough for its spacing. */
export function formatUsdTick(value: number, increment: number): string {
  return `$${value.toFixed(Math.max(2, decimalsOf(increment)))}`;
}

export const formatCompact = (value: number): string => compact.format(value);

/** "1.20K", "1.25K", "1.30K" rather than "1.2K" three times: as many digits as the spacing needs. */
function formatCompactTick(value: number, increment: number): string {
  if (value === 0 || increment <= 0) return compact.format(value);
  const digits = Math.min(6, Math.max(1, Math.ceil(Math.log10(Math.abs(value) / increment)) + 1));
  return new Intl.NumberFormat(undefined, { notation: 'compact', maximumSignificantDigits: digits }).format(value);
}
const formatPercent = (value: number): string => `${value.toFixed(value < 10 ? 1 : 0)} %`;
const formatMb = (value: number): string => (value >= 1000 ? `${+(value / 1000).toFixed(1)} GB` : `${Math.round(value)} MB`);

export const PANELS: PanelSpec[] = [
  { metric: 'latency_ms', title: 'Latency', unit: 'p95 solid, p50 dashed', aggs: ['p95', 'p50'], format: formatMs, emptyMax: 1000 },
  { metric: 'throughput', title: 'Throughput', unit: 'requests per second', aggs: ['avg'], format: formatCompact, formatTick: formatCompactTick },
  { metric: 'error_rate', title: 'Error rate', unit: 'errors per request', aggs: ['avg'], format: (v) => formatPercent(v * 100), emptyMax: 0.1 },
  { metric: 'cost_usd', title: 'Cost', unit: 'USD per interval', aggs: ['sum'], format: formatUsd, formatTick: formatUsdTick },
  { metric: 'tokens', title: 'Tokens', unit: 'in + out per interval', aggs: ['sum'], format: formatCompact, formatTick: formatCompactTick },
  { metric: 'cpu_pct', title: 'CPU', unit: 'percent, average', aggs: ['avg'], format: formatPercent, emptyMax: 100 },
  { metric: 'gpu_pct', title: 'GPU', unit: 'percent, average', aggs: ['avg'], format: formatPercent, emptyMax: 100 },
  { metric: 'memory_mb', title: 'Memory', unit: 'resident, average', aggs: ['avg'], format: formatMb, emptyMax: 1000 },
];

export function panelSpec(metric: MetricName): PanelSpec | undefined {
  return PANELS.find((p) => p.metric === metric);
}

/** How a metric's values read: its panel's format, else a compact number. */
export function metricFormat(metric: MetricName): (value: number) => string {
  return panelSpec(metric)?.format ?? formatCompact;
}

export const DEFAULT_PANELS: MetricName[] = ['latency_ms', 'throughput', 'cost_usd', 'tokens', 'cpu_pct', 'memory_mb'];

export const RANGES = [
  { label: '15 m', ms: 15 * 60_000 },
  { label: '1 h', ms: 3600_000 },
  { label: '6 h', ms: 6 * 3600_000 },
  { label: '24 h', ms: 24 * 3600_000 },
  { label: '7 d', ms: 7 * 86_400_000 },
  { label: '30 d', ms: 30 * 86_400_000 },
] as const;

export const DEFAULT_RANGE_MS = 3600_000;

/** "1 min", "5 s", "1 h": how wide one bucket of a chart is. */
export function formatStep(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3600_000 === 0) return `${ms / 3600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}

/** Every metric a rule or query can name, as people read it. */
export const METRIC_LABELS: Record<MetricName, string> = {
  latency_ms: 'Latency (ms)',
  throughput: 'Throughput (requests/s)',
  error_rate: 'Error rate (0–1)',
  cost_usd: 'Cost (USD)',
  tokens: 'Tokens (in + out)',
  tokens_in: 'Tokens in',
  tokens_out: 'Tokens out',
  cpu_pct: 'CPU (%)',
  gpu_pct: 'GPU (%)',
  memory_mb: 'Memory (MB)',
  requests: 'Requests',
  errors: 'Errors',
};

/**
 * The aggregates a metric answers — the same rule as metricAggregates in @tandem/schema, kept
 * here so the client bundle does not pull in zod for one function.
 */
export function aggregatesOf(metric: MetricName): Aggregate[] {
  if (metric === 'latency_ms') return ['avg', 'min', 'max', 'sum', 'count', 'p50', 'p95', 'p99'];
  if (metric === 'tokens') return ['avg', 'sum'];
  if (metric === 'throughput' || metric === 'error_rate') return ['avg'];
  return ['avg', 'min', 'max', 'sum', 'count'];
}

/** "5 min", "90 s", "1 h 30 min". */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [size, unit] of [[86_400, 'd'], [3600, 'h'], [60, 'min'], [1, 's']] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
  }
  return parts.join(' ') || '0 s';
}
