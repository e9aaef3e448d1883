// POST /api/v1/metrics (docs/api.md "Metrics samples"): an ingest key, a JSON or NDJSON body, all
// samples valid or nothing stored, 202 only after the commit.
import { AppError, databaseRefusal, isDatabaseUnavailable } from '@tandem/core';
import { bearerToken } from '../../context.ts';
import { addressKey } from '../client-address.ts';
import type { ApiContext } from './index.ts';
import { BodyError, readBody } from './body.ts';
import { WHOLE_BODY, ingestFormatOf, parseIngestBody } from './ingest-body.ts';
import { sendJson } from './respond.ts';

/** 1 MiB; gzip allowed, measured decompressed. */
export const INGEST_MAX_BODY_BYTES = 1024 * 1024;

const REALM = 'Bearer realm="tandem-ingest"';

/** Failures: 400 with problems, 401, 409 (agent limit), 413, 415, 429 / 503 with Retry-After. */
export async function handleIngest({ services, req, res }: ApiContext): Promise<void> {
  const { ingestion, prometheus: metrics } = services;
  const refuse = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    metrics.ingestRejected.inc({ status: String(status) });
    sendJson(res, status, body, headers);
  };
  try {
    const key = bearerToken(req.headers.authorization);
    if (!key) return refuse(401, { error: 'Send an ingest key: Authorization: Bearer <key>' }, { 'www-authenticate': REALM });
    const address = addressKey(services.clientAddress(req));
    const wait = await services.wrongIngestKeys.waitMs(address);
    if (wait) return refuse(429, { error: 'Too many wrong ingest keys from your address; try again later' }, retryAfter(wait));
    const owner = await ingestion.keys.resolve(key);
    if (!owner) {
      await services.wrongIngestKeys.wrongKey(address);
      return refuse(401, { error: 'The ingest key is wrong or revoked' }, { 'www-authenticate': `${REALM}, error="invalid_token"` });
    }

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
    const failure = err instanceof AppError ? err
      : isDatabaseUnavailable(err) ? new AppError('SERVICE_UNAVAILABLE', 'The database is unavailable; retry shortly', { retryAfterMs: 5000 })
      : databaseRefusal(err);
    // A value the database refused (a schema gap; issue 14) is a 400 about the body, not a 500.
    if (failure?.code === 'BAD_REQUEST' || failure?.code === 'CONFLICT') {
      if (!(err instanceof AppError)) services.rt.log.warn({ err }, 'the database refused samples the ingest schema let through');
      return refuse(failure.httpStatus, { error: failure.message, problems: [{ index: WHOLE_BODY, field: failure.details.field ?? 'body', message: failure.message }] });
    }
    if (failure?.code !== 'TOO_MANY_REQUESTS' && failure?.code !== 'SERVICE_UNAVAILABLE') throw err;
    refuse(failure.httpStatus, { error: failure.message }, retryAfter(failure.details.retryAfterMs));
  }
}

const retryAfter = (ms = 1000): Record<string, string> => ({ 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) });
