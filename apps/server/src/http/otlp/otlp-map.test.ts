// The OTLP → sample mapping (README "OpenTelemetry (OTLP)"): GenAI metrics and spans, CPU and
// memory, cumulative series turned into increments, prices, and what is ignored or refused.
import { describe, expect, it } from 'vitest';
import { CumulativeDeltas } from './cumulative-deltas.ts';
import { mapMetrics, mapTraces } from './otlp-map.ts';
import type { ExportMetricsRequest, ExportTraceRequest, KeyValue, Metric } from './otlp-proto.ts';

const NOW = 1_763_800_000_000;
const ns = (ms: number) => ms * 1e6;
const attrs = (o: Record<string, string | number>): KeyValue[] =>
  Object.entries(o).map(([key, v]) => ({ key, value: typeof v === 'string' ? { stringValue: v } : Number.isInteger(v) ? { intValue: v } : { doubleValue: v } }));
const metricsOf = (service: string | null, metrics: Metric[]): ExportMetricsRequest => ({
  resourceMetrics: [{ resource: { attributes: service === null ? [] : attrs({ 'service.name': service }) }, scopeMetrics: [{ metrics }] }],
});
const histogram = (name: string, temporality: 1 | 2, points: { a: Record<string, string>; count: number; sum: number; start?: number; at?: number }[]): Metric => ({
  name,
  histogram: {
    aggregationTemporality: temporality,
    dataPoints: points.map((p) => ({ attributes: attrs(p.a), startTimeUnixNano: ns(p.start ?? NOW - 60_000), timeUnixNano: ns(p.at ?? NOW), count: p.count, sum: p.sum })),
  },
});
const gauge = (name: string, points: { a: Record<string, string | number>; v: number }[]): Metric => ({
  name, gauge: { dataPoints: points.map((p) => ({ attributes: attrs(p.a), timeUnixNano: ns(NOW), asDouble: p.v })) },
});
const opts = () => ({ scope: 'key', deltas: new CumulativeDeltas(), now: NOW });

describe('mapMetrics', () => {
  it('GenAI tokens by type and operation duration become one sample per agent, time and model, priced', () => {
    const model = { 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18' };
    const out = mapMetrics(metricsOf('checkout-bot', [
      histogram('gen_ai.client.token.usage', 1, [
        { a: { ...model, 'gen_ai.token.type': 'input' }, count: 2, sum: 1_000_000 },
        { a: { ...model, 'gen_ai.token.type': 'output' }, count: 2, sum: 500_000 },
      ]),
      histogram('gen_ai.client.operation.duration', 1, [
        { a: model, count: 3, sum: 1.5 },
        { a: { ...model, 'error.type': 'timeout' }, count: 1, sum: 2.5 },
      ]),
    ]), opts());
    expect(out.rejected).toBe(0);
    expect(out.samples).toEqual([{
      agent: 'checkout-bot', ts: NOW, labels: { model: 'gpt-4o-mini-2024-07-18' },
      tokens_in: 1_000_000, tokens_out: 500_000, requests: 4, errors: 1, latency_ms: 1000,
      cost_usd: expect.closeTo(0.15 + 0.3, 9),
    }]);
  });

  it('cumulative series store their increase; a first sighting of an old series is only a baseline', () => {
    const o = opts();
    const at = (count: number, sum: number, start: number, t: number) =>
      metricsOf('bot', [histogram('gen_ai.client.operation.duration', 2, [{ a: {}, count, sum, start, at: t }])]);
    expect(mapMetrics(at(2, 1, NOW - 10_000, NOW - 5000), o).samples).toMatchObject([{ requests: 2, latency_ms: 500 }]);
    expect(mapMetrics(at(5, 4, NOW - 10_000, NOW), o).samples).toMatchObject([{ requests: 3, latency_ms: 1000 }]);
    // Nothing new: mapped, nothing stored, nothing refused.
    expect(mapMetrics(at(5, 4, NOW - 10_000, NOW), o)).toEqual({ samples: [], rejected: 0, reasons: [] });
    // A series that started an hour ago and is new to this server: its total is not this interval's.
    expect(mapMetrics(metricsOf('other', [histogram('gen_ai.client.operation.duration', 2, [{ a: {}, count: 900, sum: 90, start: NOW - 3_600_000 }])]), o).samples).toEqual([]);
  });

  it('CPU utilisation (busy modes over logical CPUs) and memory usage in MB; process wins over system', () => {
    const out = mapMetrics(metricsOf('bot', [
      gauge('system.cpu.utilization', [
        { a: { 'cpu.mode': 'user', 'cpu.logical_number': 0 }, v: 0.5 },
        { a: { 'cpu.mode': 'idle', 'cpu.logical_number': 0 }, v: 0.5 },
        { a: { 'cpu.mode': 'user', 'cpu.logical_number': 1 }, v: 0.2 },
        { a: { 'cpu.mode': 'idle', 'cpu.logical_number': 1 }, v: 0.8 },
      ]),
      { name: 'system.memory.usage', sum: { aggregationTemporality: 2, dataPoints: [
        { attributes: attrs({ 'system.memory.state': 'used' }), timeUnixNano: ns(NOW), asInt: 512 * 1048576 },
        { attributes: attrs({ 'system.memory.state': 'free' }), timeUnixNano: ns(NOW), asInt: 100 },
      ] } },
      { name: 'process.memory.usage', sum: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: ns(NOW), asInt: 256 * 1048576 }] } },
    ]), opts());
    expect(out.samples).toEqual([{ agent: 'bot', ts: NOW, cpu_pct: 35, memory_mb: 256 }]);
    expect(out.rejected).toBe(1);
    expect(out.reasons).toEqual(['1 data points ignored: Tandem maps no data from system.memory.usage']);
  });

  it('counts other metrics as ignored, naming them; refuses what POST /api/v1/metrics would refuse', () => {
    const out = mapMetrics(metricsOf('bot', [
      gauge('http.server.active_requests', [{ a: {}, v: 3 }]),
      histogram('gen_ai.client.token.usage', 1, [{ a: { 'gen_ai.token.type': 'input' }, count: 1, sum: 10, at: NOW - 30 * 86_400_000 }]),
    ]), opts());
    expect(out.samples).toEqual([]);
    expect(out.rejected).toBe(2);
    expect(out.reasons).toEqual(['1 data points refused: older than 7 days', '1 data points ignored: Tandem maps no data from http.server.active_requests']);
    const bad = mapMetrics(metricsOf('checkout bot', [gauge('process.cpu.utilization', [{ a: {}, v: 0.1 }])]), opts());
    expect(bad.rejected).toBe(1);
    expect(bad.reasons[0]).toMatch(/service\.name "checkout bot" is not a valid agent name/);
  });

  it('an unnamed service is unknown_service', () => {
    expect(mapMetrics(metricsOf(null, [gauge('process.cpu.utilization', [{ a: {}, v: 0.25 }])]), opts()).samples).toEqual([{ agent: 'unknown_service', ts: NOW, cpu_pct: 25 }]);
  });
});

describe('mapTraces', () => {
  const span = (a: Record<string, string | number>, status = 0, ms = 800) => ({
    name: 'chat gpt-4o', startTimeUnixNano: ns(NOW - ms), endTimeUnixNano: ns(NOW), attributes: attrs(a), status: { code: status },
  });
  const traces = (spans: ReturnType<typeof span>[]): ExportTraceRequest => ({ resourceSpans: [{ resource: { attributes: attrs({ 'service.name': 'support-bot' }) }, scopeSpans: [{ spans }] }] });

  it('each GenAI model-call span is one request with its latency, tokens, model, error and price', () => {
    const out = mapTraces(traces([
      span({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100 }),
      span({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'llama3.1:8b', 'gen_ai.usage.input_tokens': 5 }, 2, 50),
      span({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.cost': 0.5 }),
    ]), { now: NOW });
    expect(out.rejected).toBe(0);
    expect(out.samples).toEqual([
      { agent: 'support-bot', ts: NOW, labels: { model: 'gpt-4o' }, requests: 1, errors: 0, latency_ms: 800, tokens_in: 1000, tokens_out: 100, cost_usd: expect.closeTo(0.0035, 9) },
      { agent: 'support-bot', ts: NOW, labels: { model: 'llama3.1:8b' }, requests: 1, errors: 1, latency_ms: 50, tokens_in: 5 },
      { agent: 'support-bot', ts: NOW, labels: { model: 'gpt-4o' }, requests: 1, errors: 0, latency_ms: 800, cost_usd: 0.5 },
    ]);
  });

  it('tool, agent and plain spans are ignored and counted', () => {
    const out = mapTraces(traces([span({ 'gen_ai.operation.name': 'execute_tool' }), span({ 'http.method': 'GET' })]), { now: NOW });
    expect(out).toEqual({ samples: [], rejected: 2, reasons: ['2 spans ignored: Tandem maps no data from chat gpt-4o'] });
  });
});
