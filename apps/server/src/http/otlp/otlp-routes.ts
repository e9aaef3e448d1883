// POST /v1/metrics and POST /v1/traces: OpenTelemetry OTLP/HTTP (docs/api.md "OpenTelemetry
// (OTLP)"). Same ingest keys, rates, fair shares and write path as POST /api/v1/metrics
// (api/ingest.ts); answers as the OTLP spec says: 200 with an Export*ServiceResponse whose
// partial_success counts what was ignored or refused, else a google.rpc.Status in the request's
// encoding, Retry-After on 429 / 503 (the only ones an exporter retries, with 502 / 504).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_SAMPLES_PER_REQUEST } from '@tandem/schema';
import type { ServerServices } from '../../services.ts';
import { BodyError, readBody } from '../api/body.ts';
import { authenticateIngest, ingestFailure } from '../api/ingest.ts';
import { CumulativeDeltas } from './cumulative-deltas.ts';
import { mapMetrics, mapTraces } from './otlp-map.ts';
import { OtlpDecodeError, decodeRequest, encodeResponse, encodeStatus, type OtlpEncoding, type OtlpSignal } from './otlp-proto.ts';

/**
 * Decompressed. Larger than POST /api/v1/metrics' 1 MiB: OTLP repeats attribute names in every
 * point and span, so a batch of the SDK's default size (512 spans) can pass 1 MiB.
 */
export const OTLP_MAX_BODY_BYTES = 4 * 1024 * 1024;

const SIGNALS: Record<string, OtlpSignal> = { '/v1/metrics': 'metrics', '/v1/traces': 'traces' };
export const isOtlpPath = (path: string): boolean => Object.hasOwn(SIGNALS, path);

const CONTENT_TYPES: Record<OtlpEncoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

function encodingOf(contentType: string | undefined): OtlpEncoding | null {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return mediaType === 'application/x-protobuf' ? 'protobuf' : mediaType === 'application/json' ? 'json' : null;
}

/** google.rpc.Code of an HTTP status, for the Status body of a refusal. */
const RPC_CODES: Record<number, number> = { 400: 3, 401: 16, 405: 12, 409: 9, 413: 8, 415: 3, 429: 8, 503: 14 };

/** Each server process remembers the cumulative series it has seen (cumulative-deltas.ts). */
const deltasOf = new WeakMap<ServerServices, CumulativeDeltas>();

export async function handleOtlp(services: ServerServices, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const signal = SIGNALS[path]!;
  const encoding = encodingOf(req.headers['content-type']);
  // A refusal speaks the request's encoding; a request in neither gets JSON, which a person can read.
  const answer = encoding ?? 'json';
  const refuse = (status: number, message: string, headers: Record<string, string> = {}) => {
    services.prometheus.ingestRejected.inc({ status: String(status) });
    res.writeHead(status, { 'content-type': CONTENT_TYPES[answer], ...headers }).end(encodeStatus(answer, RPC_CODES[status] ?? 2, message));
  };
  if (req.method !== 'POST') return refuse(405, 'OTLP/HTTP takes POST', { allow: 'POST' });
  try {
    const auth = await authenticateIngest(services, req);
    if ('refusal' in auth) return refuse(auth.refusal.status, auth.refusal.message, auth.refusal.headers);
    const { owner } = auth;
    if (!encoding) return refuse(415, 'Send Content-Type application/x-protobuf or application/json (OTLP/HTTP)');

    const body = await readBody(req, OTLP_MAX_BODY_BYTES);
    const now = Date.now();
    let deltas = deltasOf.get(services);
    if (!deltas) deltasOf.set(services, (deltas = new CumulativeDeltas()));
    const mapped = signal === 'metrics'
      ? mapMetrics(decodeRequest('metrics', encoding, body), { scope: owner.keyId, deltas, now })
      : mapTraces(decodeRequest('traces', encoding, body), { now });
    if (mapped.samples.length > MAX_SAMPLES_PER_REQUEST) {
      return refuse(413, `The request maps to ${mapped.samples.length} samples; at most ${MAX_SAMPLES_PER_REQUEST} per request: export smaller batches`);
    }
    if (mapped.samples.length) {
      await services.ingestion.rates.admit(owner, mapped.samples.length);
      const accepted = await services.ingestion.writer.write(owner, mapped.samples);
      services.prometheus.ingestSamples.inc(accepted);
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[encoding] }).end(encodeResponse(signal, encoding, mapped.rejected, mapped.reasons.join('; ')));
  } catch (err) {
    if (err instanceof BodyError) return refuse(err.status, err.message, err.drained ? {} : { connection: 'close' });
    if (err instanceof OtlpDecodeError) return refuse(400, err.message);
    const failure = ingestFailure(services, err);
    if (!failure) throw err;
    refuse(failure.status, failure.message, failure.headers);
  }
}
