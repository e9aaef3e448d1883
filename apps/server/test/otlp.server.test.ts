// OTLP/HTTP ingestion (docs/api.md "OpenTelemetry (OTLP)", README mapping table,
// docs/reliability.md §13): the OpenTelemetry JS SDK's own exporters, protobuf and JSON, for
// metrics and traces, with GenAI attributes; what they produce read back through metrics.query.
// Bad bodies answer as the OTLP spec says and store nothing.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, MetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { costOf } from '@tandem/core';
import { availableModes } from '@tandem/core/testing';
import type { MetricName } from '@tandem/schema';
import { startTestApp, type TestApp } from './harness.ts';
import { sampleCount } from './ingest-helpers.ts';

const modes = await availableModes();

/** Collects on demand: the test decides when the SDK exports, and sees the exporter's result. */
class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const exportResult = (send: (done: (r: { code: number; error?: Error }) => void) => void) =>
  new Promise<{ code: number; error?: Error }>((resolve) => send(resolve));

describe.each(modes)('OTLP/HTTP ingestion (%s)', (mode) => {
  let app: TestApp;
  let admin: Awaited<ReturnType<TestApp['signUp']>>;
  let key: string;
  beforeAll(async () => {
    app = await startTestApp(mode, {}, { workers: false });
    admin = await app.signUp('Otel');
    ({ key } = await app.client(admin.token).ingestKey.create.mutate({ workspaceId: admin.workspaceId, label: 'otel' }));
  });
  afterAll(() => app?.close());

  /** The sum of an agent's values of `metric` (aggregated by `agg` per bucket) over the last two hours. */
  async function read(agent: string, metric: MetricName, agg: 'sum' | 'avg' = 'sum'): Promise<number | null> {
    const now = Date.now();
    const out = await app.client(admin.token).metrics.query.query({
      workspaceId: admin.workspaceId, metrics: [{ name: metric, agg }], from: now - 2 * 3600_000, to: now + 60_000, stepMs: 4 * 3600_000,
    });
    const values = out.series.filter((s) => s.agentName === agent).flatMap((s) => s.values.filter((v): v is number => v !== null));
    return values.length ? values.reduce((a, b) => a + b, 0) : null;
  }

  const headers = () => ({ authorization: `Bearer ${key}` });

  describe.each([
    ['protobuf', (url: string, h: Record<string, string>) => new ProtoMetricExporter({ url, headers: h, compression: 'gzip' as never })],
    ['json', (url: string, h: Record<string, string>) => new JsonMetricExporter({ url, headers: h })],
  ] as const)('metrics, %s exporter', (encoding, makeExporter) => {
    const agent = `otel-metrics-${encoding}`;
    let exporter: PushMetricExporter;
    let reader: PullReader;
    let provider: MeterProvider;
    const flush = async () => {
      const { resourceMetrics, errors } = await reader.collect();
      expect(errors).toEqual([]);
      return exportResult((done) => exporter.export(resourceMetrics, done));
    };
    beforeAll(() => {
      exporter = makeExporter(`${app.url}/v1/metrics`, headers());
      reader = new PullReader();
      provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': agent }), readers: [reader] });
    });
    afterAll(async () => {
      await provider.shutdown();
      await exporter.shutdown();
    });

    it('GenAI token usage and operation duration, CPU and memory land as samples; cumulative totals count once', async () => {
      const meter = provider.getMeter('genai-app');
      const tokens = meter.createHistogram('gen_ai.client.token.usage', { unit: '{token}' });
      const duration = meter.createHistogram('gen_ai.client.operation.duration', { unit: 's' });
      const model: Attributes = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.response.model': 'gpt-4o-mini' };
      tokens.record(1200, { ...model, 'gen_ai.token.type': 'input' });
      tokens.record(300, { ...model, 'gen_ai.token.type': 'output' });
      duration.record(0.5, model);
      duration.record(1.5, model);
      duration.record(2, { ...model, 'error.type': '500' });
      meter.createObservableGauge('process.cpu.utilization', { unit: '1' }).addCallback((r) => r.observe(0.25));
      meter.createObservableUpDownCounter('process.memory.usage', { unit: 'By' }).addCallback((r) => r.observe(300 * 1024 * 1024));
      meter.createCounter('http.client.request.count').add(1);

      expect(await flush()).toEqual({ code: 0 });
      expect(await read(agent, 'tokens_in')).toBe(1200);
      expect(await read(agent, 'tokens_out')).toBe(300);
      expect(await read(agent, 'requests')).toBe(3);
      expect(await read(agent, 'errors')).toBe(1);
      expect(await read(agent, 'latency_ms', 'avg')).toBeCloseTo(4000 / 3, 6);
      expect(await read(agent, 'cost_usd')).toBeCloseTo(costOf('gpt-4o-mini', 1200, 300)!, 12);
      expect(await read(agent, 'cpu_pct', 'avg')).toBeCloseTo(25, 9);
      expect(await read(agent, 'memory_mb', 'avg')).toBeCloseTo(300, 9);

      // The SDK exports running totals (cumulative): the second export adds only what happened since.
      tokens.record(800, { ...model, 'gen_ai.token.type': 'input' });
      expect(await flush()).toEqual({ code: 0 });
      expect(await read(agent, 'tokens_in')).toBe(2000);
      expect(await read(agent, 'requests')).toBe(3);
    });
  });

  describe.each([
    ['protobuf', (url: string, h: Record<string, string>): SpanExporter => new ProtoTraceExporter({ url, headers: h })],
    ['json', (url: string, h: Record<string, string>): SpanExporter => new JsonTraceExporter({ url, headers: h })],
  ] as const)('traces, %s exporter', (encoding, makeExporter) => {
    it('each GenAI chat span is a request with its latency, tokens, model, error and price; other spans are ignored', async () => {
      const agent = `otel-traces-${encoding}`;
      const memory = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': agent }), spanProcessors: [new SimpleSpanProcessor(memory)] });
      const tracer = provider.getTracer('genai-app');
      const t0 = Date.now() - 5000;
      const chat = (attrs: Attributes, ms: number, failed = false) => {
        const span = tracer.startSpan('chat gpt-4o-mini', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', ...attrs }, startTime: t0 });
        if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream 500' });
        span.end(t0 + ms);
      };
      chat({ 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 200 }, 800);
      chat({ 'gen_ai.usage.input_tokens': 500, 'gen_ai.usage.output_tokens': 100 }, 400, true);
      tracer.startSpan('execute_tool lookup', { attributes: { 'gen_ai.operation.name': 'execute_tool' }, startTime: t0 }).end(t0 + 10);
      tracer.startSpan('GET /orders', { startTime: t0 }).end(t0 + 20);
      await provider.forceFlush();

      const exporter = makeExporter(`${app.url}/v1/traces`, headers());
      expect(await exportResult((done) => exporter.export(memory.getFinishedSpans(), done))).toEqual({ code: 0 });
      await exporter.shutdown();
      await provider.shutdown();

      expect(await read(agent, 'requests')).toBe(2);
      expect(await read(agent, 'errors')).toBe(1);
      expect(await read(agent, 'tokens_in')).toBe(1500);
      expect(await read(agent, 'tokens_out')).toBe(300);
      expect(await read(agent, 'latency_ms', 'avg')).toBeCloseTo(600, 6);
      expect(await read(agent, 'cost_usd')).toBeCloseTo(costOf('gpt-4o-mini', 1000, 200)! + costOf('gpt-4o-mini', 500, 100)!, 12);
    });
  });

  describe('answers as the OTLP spec says', () => {
    let spans: ReadableSpan[];
    beforeAll(async () => {
      const memory = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'otel-raw' }), spanProcessors: [new SimpleSpanProcessor(memory)] });
      const tracer = provider.getTracer('raw');
      tracer.startSpan('chat', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10 } }).end();
      tracer.startSpan('GET /health').end();
      await provider.forceFlush();
      spans = memory.getFinishedSpans();
    });
    const post = async (body: Uint8Array | string, h: Record<string, string>, path = '/v1/traces') => {
      const res = await fetch(`${app.url}${path}`, { method: 'POST', headers: h, body });
      return { status: res.status, type: res.headers.get('content-type'), retryAfter: res.headers.get('retry-after'), bytes: new Uint8Array(await res.arrayBuffer()) };
    };
    const proto = () => ({ ...headers(), 'content-type': 'application/x-protobuf' });

    it('200 with partial_success naming what was ignored, in the encoding of the request', async () => {
      const pb = await post(ProtobufTraceSerializer.serializeRequest(spans)!, proto());
      expect(pb.status).toBe(200);
      expect(pb.type).toBe('application/x-protobuf');
      const answer = ProtobufTraceSerializer.deserializeResponse(pb.bytes);
      expect(String(answer.partialSuccess?.rejectedSpans)).toBe('1'); // a protobuf.js Long
      expect(answer.partialSuccess?.errorMessage).toBe('1 spans ignored: Tandem maps no data from GET /health');

      const json = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'otel-raw' } }] }, scopeSpans: [{ spans: [
        { name: 'chat', startTimeUnixNano: String((Date.now() - 1000) * 1e6), endTimeUnixNano: String(Date.now() * 1e6), attributes: [
          { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } }, { key: 'gen_ai.usage.output_tokens', value: { intValue: '7' } }] },
      ] }] }] };
      const ok = await post(JSON.stringify(json), { ...headers(), 'content-type': 'application/json' });
      expect(ok.status).toBe(200);
      expect(ok.type).toBe('application/json');
      expect(JSON.parse(Buffer.from(ok.bytes).toString())).toEqual({});
      expect(await read('otel-raw', 'tokens_out')).toBe(7);
    });

    it('bad bodies, wrong content type, oversized, unknown or revoked key: refused with a Status, nothing stored', async () => {
      const before = await sampleCount(app, admin.workspaceId);
      const valid = ProtobufTraceSerializer.serializeRequest(spans)!;

      const truncated = await post(valid.subarray(0, valid.length - 9), proto());
      expect(truncated.status).toBe(400);
      expect(truncated.type).toBe('application/x-protobuf');
      expect(Buffer.from(truncated.bytes).toString('latin1')).toContain('not a valid protobuf ExportTraceServiceRequest');

      const notJson = await post('{"resourceSpans": [', { ...headers(), 'content-type': 'application/json' });
      expect(notJson.status).toBe(400);
      expect(JSON.parse(Buffer.from(notJson.bytes).toString())).toMatchObject({ code: 3, message: expect.stringContaining('not a valid JSON') });
      const wrongShape = await post('{"resourceSpans": {"a": 1}}', { ...headers(), 'content-type': 'application/json' });
      expect(wrongShape.status).toBe(400);

      const gzipGarbage = await post(new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]), { ...proto(), 'content-encoding': 'gzip' });
      expect(gzipGarbage.status).toBe(400);

      expect((await post(valid, { ...headers(), 'content-type': 'text/plain' })).status).toBe(415);
      expect((await post(valid, { ...proto(), 'content-encoding': 'br' })).status).toBe(415);

      const oversized = await post(new Uint8Array(5 * 1024 * 1024), proto());
      expect(oversized.status).toBe(413);
      const bomb = await post(gzipSync(Buffer.alloc(6 * 1024 * 1024)), { ...proto(), 'content-encoding': 'gzip' }, '/v1/metrics');
      expect(bomb.status).toBe(413);

      const unknown = await post(valid, { 'content-type': 'application/x-protobuf', authorization: 'Bearer tdm_not-a-key' });
      expect(unknown.status).toBe(401);
      expect((await post(valid, { 'content-type': 'application/x-protobuf' })).status).toBe(401);
      const made = await app.client(admin.token).ingestKey.create.mutate({ workspaceId: admin.workspaceId, label: 'short-lived otel' });
      await app.client(admin.token).ingestKey.revoke.mutate({ workspaceId: admin.workspaceId, keyId: made.id });
      await vi.waitFor(async () => expect((await post(valid, { 'content-type': 'application/x-protobuf', authorization: `Bearer ${made.key}` })).status).toBe(401));

      expect((await fetch(`${app.url}/v1/metrics`)).status).toBe(405);
      expect(await sampleCount(app, admin.workspaceId)).toBe(before);
    });
  });
});

/** OTLP-shaped JSON with hostile values where the mapping reads: times, counts, sums, attributes. */
const otlpJson = (() => {
  const now = String(Date.now() * 1e6);
  const int64 = fc.oneof(fc.constant(now), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n }).map(String), fc.integer(), fc.string({ maxLength: 5 }));
  const value = fc.oneof(
    fc.record({ stringValue: fc.oneof(fc.constantFrom('input', 'output', 'idle', 'used', 'chat', 'gpt-4o-mini'), fc.string({ maxLength: 300 })) }),
    fc.record({ intValue: int64 }), fc.record({ doubleValue: fc.double() }), fc.record({ boolValue: fc.boolean() }), fc.constant({}),
  );
  const key = fc.constantFrom('service.name', 'gen_ai.token.type', 'gen_ai.request.model', 'gen_ai.response.model', 'gen_ai.operation.name',
    'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'gen_ai.usage.cost', 'error.type', 'cpu.mode', 'cpu.logical_number', 'system.memory.state', 'x');
  const attributes = fc.array(fc.record({ key, value }), { maxLength: 5 });
  const point = fc.record({ attributes, startTimeUnixNano: int64, timeUnixNano: int64, count: int64, sum: fc.double(), asDouble: fc.double(), asInt: int64 }, { requiredKeys: [] });
  const points = fc.array(point, { maxLength: 4 });
  const name = fc.constantFrom('gen_ai.client.token.usage', 'gen_ai.client.operation.duration', 'process.cpu.utilization', 'system.cpu.utilization',
    'process.memory.usage', 'system.memory.usage', 'other');
  const metric = fc.oneof(
    fc.record({ name, histogram: fc.record({ aggregationTemporality: fc.constantFrom(0, 1, 2), dataPoints: points }) }),
    fc.record({ name, gauge: fc.record({ dataPoints: points }) }),
    fc.record({ name, sum: fc.record({ aggregationTemporality: fc.constantFrom(1, 2), dataPoints: points }) }),
  );
  const span = fc.record({ name: fc.string({ maxLength: 20 }), startTimeUnixNano: int64, endTimeUnixNano: int64, attributes, status: fc.record({ code: fc.constantFrom(0, 1, 2) }) }, { requiredKeys: [] });
  const resource = fc.record({ attributes });
  return {
    metrics: fc.record({ resourceMetrics: fc.array(fc.record({ resource, scopeMetrics: fc.array(fc.record({ metrics: fc.array(metric, { maxLength: 3 }) }), { maxLength: 2 }) }), { maxLength: 2 }) }),
    traces: fc.record({ resourceSpans: fc.array(fc.record({ resource, scopeSpans: fc.array(fc.record({ spans: fc.array(span, { maxLength: 4 }) }), { maxLength: 2 }) }), { maxLength: 2 }) }),
  };
})();

interface Codec { fromObject(o: object): object; encode(m: object): { finish(): Uint8Array } }
const collectorCodecs = (generated as unknown as { opentelemetry: { proto: { collector: {
  metrics: { v1: { ExportMetricsServiceRequest: Codec } }; trace: { v1: { ExportTraceServiceRequest: Codec } };
} } } }).opentelemetry.proto.collector;

describe.each(modes)('OTLP/HTTP input sweep (%s)', (mode) => {
  let app: TestApp;
  let admin: Awaited<ReturnType<TestApp['signUp']>>;
  let key: string;
  beforeAll(async () => {
    app = await startTestApp(mode, {}, { workers: false });
    admin = await app.signUp('Sweep');
    ({ key } = await app.client(admin.token).ingestKey.create.mutate({ workspaceId: admin.workspaceId, label: 'sweep' }));
  });
  afterAll(() => app?.close());

  it('hostile OTLP JSON, the same as protobuf, and random bytes never answer 5xx; a refused body stores nothing', async () => {
    const statuses = new Set<number>();
    const post = async (path: string, type: string, body: string | Uint8Array) => {
      const before = await sampleCount(app, admin.workspaceId);
      const res = await fetch(`${app.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': type }, body });
      await res.arrayBuffer();
      statuses.add(res.status);
      expect([200, 400]).toContain(res.status);
      if (res.status !== 200) expect(await sampleCount(app, admin.workspaceId)).toBe(before);
    };
    const signals = [['/v1/metrics', otlpJson.metrics, collectorCodecs.metrics.v1.ExportMetricsServiceRequest], ['/v1/traces', otlpJson.traces, collectorCodecs.trace.v1.ExportTraceServiceRequest]] as const;
    for (const [path, arbitrary, codec] of signals) {
      await fc.assert(fc.asyncProperty(arbitrary, async (body) => {
        await post(path, 'application/json', JSON.stringify(body));
        let bytes: Uint8Array | null = null;
        try {
          bytes = codec.encode(codec.fromObject(body)).finish();
        } catch {
          // not representable as the message: the JSON answer above was a 400
        }
        if (bytes) await post(path, 'application/x-protobuf', bytes);
      }), { seed: 13, numRuns: 40 });
      await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), (bytes) => post(path, 'application/x-protobuf', bytes)), { seed: 13, numRuns: 40 });
    }
    // The sweep reached both answers.
    expect([...statuses].sort()).toEqual([200, 400]);
  });
});

describe.each(modes)('OTLP/HTTP ingestion under its rate limit (%s)', (mode) => {
  let app: TestApp;
  afterAll(() => app?.close());

  it('429 with Retry-After once the key has spent its second, in the request encoding; the refused request stores nothing', async () => {
    app = await startTestApp(mode, { INGEST_KEY_SAMPLES_PER_SECOND: '5' }, { workers: false });
    const admin = await app.signUp('Rated');
    const { key } = await app.client(admin.token).ingestKey.create.mutate({ workspaceId: admin.workspaceId, label: 'rated' });
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'rated-bot' }), spanProcessors: [new SimpleSpanProcessor(memory)] });
    for (let i = 0; i < 10; i++) provider.getTracer('t').startSpan('chat', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' } }).end();
    await provider.forceFlush();
    const body = ProtobufTraceSerializer.serializeRequest(memory.getFinishedSpans())!;
    const post = () => fetch(`${app.url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-protobuf' }, body });

    // Both at once: the second admission comes within the first's second however slow the write.
    const answers = await Promise.all([post(), post()]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 429]);
    const refused = answers.find((a) => a.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('content-type')).toBe('application/x-protobuf');
    expect(Buffer.from(await refused.arrayBuffer()).toString('latin1')).toContain('INGEST_KEY_SAMPLES_PER_SECOND');
    expect(await sampleCount(app, admin.workspaceId)).toBe(10);
  });
});
