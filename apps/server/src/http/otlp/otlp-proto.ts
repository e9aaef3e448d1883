// The OTLP messages Tandem reads and writes, decoded and encoded by protobuf.js through the
// static module the OpenTelemetry JS project generated from the official opentelemetry-proto
// definitions (@opentelemetry/otlp-transformer 0.215.0, the last release that ships it: later ones
// hand-write their encoder and cannot decode requests). Pinned exactly for that reason.
// JSON bodies go through the same messages' fromObject, so both encodings reach the mapping in
// one shape (otlp-map.ts) and a body of the wrong shape is refused by protobuf.js, not by us.
import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import protobuf from 'protobufjs/minimal.js';

/** int64 / fixed64 fields: a Long from protobuf.js, or a number (a small value in JSON). */
export type Int64 = number | { toNumber(): number } | null | undefined;

export interface AnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Int64;
  doubleValue?: number | null;
}
export interface KeyValue {
  key?: string | null;
  value?: AnyValue | null;
}
interface Resource {
  attributes?: KeyValue[] | null;
}

export interface NumberDataPoint {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int64;
  timeUnixNano?: Int64;
  asDouble?: number | null;
  asInt?: Int64;
}
/** Histogram, exponential histogram and summary points: Tandem reads their count and sum. */
export interface CountSumDataPoint {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int64;
  timeUnixNano?: Int64;
  count?: Int64;
  sum?: number | null;
}
/** AggregationTemporality: 1 delta, 2 cumulative (0 unspecified). */
interface Temporal {
  aggregationTemporality?: number | null;
}
export interface Metric {
  name?: string | null;
  unit?: string | null;
  gauge?: { dataPoints?: NumberDataPoint[] | null } | null;
  sum?: ({ dataPoints?: NumberDataPoint[] | null; isMonotonic?: boolean | null } & Temporal) | null;
  histogram?: ({ dataPoints?: CountSumDataPoint[] | null } & Temporal) | null;
  exponentialHistogram?: ({ dataPoints?: CountSumDataPoint[] | null } & Temporal) | null;
  summary?: { dataPoints?: CountSumDataPoint[] | null } | null;
}
export interface ExportMetricsRequest {
  resourceMetrics?: { resource?: Resource | null; scopeMetrics?: { metrics?: Metric[] | null }[] | null }[] | null;
}

export interface Span {
  name?: string | null;
  startTimeUnixNano?: Int64;
  endTimeUnixNano?: Int64;
  attributes?: KeyValue[] | null;
  /** Status.code: 0 unset, 1 ok, 2 error. */
  status?: { code?: number | null } | null;
}
export interface ExportTraceRequest {
  resourceSpans?: { resource?: Resource | null; scopeSpans?: { spans?: Span[] | null }[] | null }[] | null;
}

interface Codec<T> {
  decode(bytes: Uint8Array): T;
  fromObject(object: Record<string, unknown>): T;
  encode(message: object): { finish(): Uint8Array };
}
interface Generated {
  opentelemetry: { proto: { collector: {
    metrics: { v1: { ExportMetricsServiceRequest: Codec<ExportMetricsRequest>; ExportMetricsServiceResponse: Codec<object> } };
    trace: { v1: { ExportTraceServiceRequest: Codec<ExportTraceRequest>; ExportTraceServiceResponse: Codec<object> } };
  } } };
}
const collector = (generated as unknown as Generated).opentelemetry.proto.collector;

export type OtlpSignal = 'metrics' | 'traces';
export type OtlpEncoding = 'protobuf' | 'json';
export type OtlpRequest<S extends OtlpSignal> = S extends 'metrics' ? ExportMetricsRequest : ExportTraceRequest;

const REQUESTS = { metrics: collector.metrics.v1.ExportMetricsServiceRequest, traces: collector.trace.v1.ExportTraceServiceRequest };
const RESPONSES = { metrics: collector.metrics.v1.ExportMetricsServiceResponse, traces: collector.trace.v1.ExportTraceServiceResponse };

export class OtlpDecodeError extends Error {
  override name = 'OtlpDecodeError';
}

/** The request of a body in either encoding; OtlpDecodeError when it is not one (a 400). */
export function decodeRequest<S extends OtlpSignal>(signal: S, encoding: OtlpEncoding, body: Buffer): OtlpRequest<S> {
  const codec = REQUESTS[signal] as Codec<OtlpRequest<S>>;
  try {
    if (encoding === 'protobuf') return codec.decode(body);
    const object: unknown = JSON.parse(body.toString('utf8'));
    if (typeof object !== 'object' || object === null || Array.isArray(object)) throw new TypeError('the body is not a JSON object');
    return codec.fromObject(object as Record<string, unknown>);
  } catch (err) {
    const name = signal === 'metrics' ? 'ExportMetricsServiceRequest' : 'ExportTraceServiceRequest';
    throw new OtlpDecodeError(`The body is not a valid ${encoding === 'protobuf' ? 'protobuf' : 'JSON'} ${name}: ${(err as Error).message}`);
  }
}

/** Export*ServiceResponse: partial_success only when something was rejected, as the spec asks. */
export function encodeResponse(signal: OtlpSignal, encoding: OtlpEncoding, rejected: number, message: string): Buffer | string {
  const field = signal === 'metrics' ? 'rejectedDataPoints' : 'rejectedSpans';
  const partialSuccess = rejected > 0 || message ? { [field]: rejected, errorMessage: message } : undefined;
  if (encoding === 'json') return JSON.stringify(partialSuccess ? { partialSuccess } : {});
  return Buffer.from(RESPONSES[signal].encode(partialSuccess ? { partialSuccess } : {}).finish());
}

/**
 * google.rpc.Status {code = 1, message = 2}, the body of an OTLP failure. Not among the generated
 * messages, so written with protobuf.js's own Writer (field 1 varint, field 2 length-delimited).
 */
export function encodeStatus(encoding: OtlpEncoding, code: number, message: string): Buffer | string {
  if (encoding === 'json') return JSON.stringify({ code, message });
  return Buffer.from(protobuf.Writer.create().uint32((1 << 3) | 0).int32(code).uint32((2 << 3) | 2).string(message).finish());
}
