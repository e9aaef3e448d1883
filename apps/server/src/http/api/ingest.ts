// POST /api/v1/metrics (docs/api.md "Metrics samples"): an ingest key, a JSON or NDJSON body, all
// samples valid or nothing stored, 202 only after the commit.
import { AppError, databaseRefusal, isDatabaseUnavailable, type IngestKeyOwner } from '@tandem/core';
import { bearerToken } from '../../context.ts';
import { addressKey } from '../client-address.ts';
import type { ApiContext } from './index.ts';
import { BodyError, readBody } from './body.ts';
import { WHOLE_BODY, ingestFormatOf, parseIngestBody } from './ingest-body.ts';
import { sendJson } from './respond.ts';

/** 1 MiB; gzip allowed, measured decompressed. */
export const INGEST_MAX_BODY_BYTES = 1024 * 1024;

const REALM = 'Bearer realm="tandem-ingest"';

/** A refusal before or after the body: status, message, headers (Retry-After, WWW-Authenticate). */
export interface IngestRefusal {
  status: number;
  message: string;
  headers: Record<string, string>;
  /** The body field a 400 is about (a value the database refused, an agent beyond the limit). */
  field?: string;
}

/**
 * The owner of the request's ingest key, or why not: 401 without a key or with a wrong or revoked
 * one, 429 while the address has sent too many wrong keys. Shared with OTLP (http/otlp/otlp-routes.ts).
 */
export async function authenticateIngest(services: ApiContext['services'], req: ApiContext['req']): Promise<{ owner: IngestKeyOwner } | { refusal: IngestRefusal }> {
  const key = bearerToken(req.headers.authorization);
  if (!key) return { refusal: { status: 401, message: 'Send an ingest key: Authorization: Bearer <key>', headers: { 'www-authenticate': REALM } } };
  const address = addressKey(services.clientAddress(req));
  const wait = await services.wrongIngestKeys.waitMs(address);
  if (wait) return { refusal: { status: 429, message: 'Too many wrong ingest keys from your address; try again later', headers: retryAfter(wait) } };
  const owner = await services.ingestion.keys.resolve(key);
  if (owner) return { owner };
  await services.wrongIngestKeys.wrongKey(address);
  return { refusal: { status: 401, message: 'The ingest key is wrong or revoked', headers: { 'www-authenticate': `${REALM}, error="invalid_token"` } } };
}

/**
 * What a failure of admission or of the write answers: 400 / 409 about the body, 429 / 503 with
 * Retry-After; null for anything else (a bug: rethrown, a 500).
 */
export function ingestFailure(services: ApiContext['services'], err: unknown): IngestRefusal | null {
  const failure = err instanceof AppError ? err
    : isDatabaseUnavailable(err) ? new AppError('SERVICE_UNAVAILABLE', 'The database is unavailable; retry shortly', { retryAfterMs: 5000 })
    : databaseRefusal(err);
  // A value the database refused (a schema gap; issue 14) is a 400 about the body, not a 500.
  if (failure?.code === 'BAD_REQUEST' || failure?.code === 'CONFLICT') {
    if (!(err instanceof AppError)) services.rt.log.warn({ err }, 'the database refused samples the ingest schema let through');
    return { status: failure.httpStatus, message: failure.message, headers: {}, field: failure.details.field ?? 'body' };
  }
  if (failure?.code !== 'TOO_MANY_REQUESTS' && failure?.code !== 'SERVICE_UNAVAILABLE') return null;
  return { status: failure.httpStatus, message: failure.message, headers: retryAfter(failure.details.retryAfterMs) };
}

/** Failures: 400 with problems, 401, 409 (agent limit), 413, 415, 429 / 503 with Retry-After. */
export async function handleIngest({ services, req, res }: ApiContext): Promise<void> {
  const { ingestion, prometheus: metrics } = services;
  const refuse = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    metrics.ingestRejected.inc({ status: String(status) });
    sendJson(res, status, body, headers);
  };
  try {
    const auth = await authenticateIngest(services, req);
    if ('refusal' in auth) return refuse(auth.refusal.status, { error: auth.refusal.message }, auth.refusal.headers);
    const { owner } = auth;

    const format = ingestFormatOf(req.headers['content-type']);
    if (!format) return refuse(415, { error: 'Send Content-Type application/json or application/x-ndjson' });
    const body = await readBody(req, INGEST_MAX_BODY_BYTES);
    const parsed = parseIngestBody(format, body.toString('utf8'), Date.now());
    if (!parsed.ok) return refuse(400, { error: parsed.error, problems: parsed.problems });

    // Per key and per workspace: the rate over every server, then a fair share of this one's queue.
    await ingestion.rates.admit(owner, parsed.samples.length);
    const accepted = await ingestion.writer.write(owner, parsed.samples);
    metrics.ingestSamples.inc(accepted);
    sendJson(res, 202, { accepted });
  } catch (err) {
    if (err instanceof BodyError) {
      // Every 400 has the same shape; an unreadable body is a problem of the whole body.
      const problems = err.status === 400 ? { problems: [{ index: WHOLE_BODY, field: 'body', message: err.message }] } : {};
      return refuse(err.status, { error: err.message, ...problems }, err.drained ? {} : { connection: 'close' });
    }
    const failure = ingestFailure(services, err);
    if (!failure) throw err;
    if (failure.field) return refuse(failure.status, { error: failure.message, problems: [{ index: WHOLE_BODY, field: failure.field, message: failure.message }] });
    refuse(failure.status, { error: failure.message }, failure.headers);
  }
}

const retryAfter = (ms = 1000): Record<string, string> => ({ 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) });
