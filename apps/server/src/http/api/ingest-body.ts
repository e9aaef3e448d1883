// Parsing and validating POST /api/v1/metrics bodies (JSON `{agent, samples}` or NDJSON lines of
// `{agent, ...sample}`): all samples, or the list of every problem by sample (or line) index.
import type { z } from 'zod';
import {
  MAX_SAMPLE_AGE_MS, MAX_SAMPLE_SKEW_MS, MAX_SAMPLES_PER_REQUEST, agentNameSchema, ingestBodySchema, ingestLineSchema,
  metricSampleSchema, type IngestProblem,
} from '@tandem/schema';
import type { IngestSample } from '@tandem/core';
import { isPlainValidSample } from './sample-check.ts';

export type IngestFormat = 'json' | 'ndjson';

export type ParsedIngest =
  | { ok: true; samples: IngestSample[] }
  | { ok: false; error: string; problems: IngestProblem[] };

/** Problems about the body as a whole (not one sample) carry this index. */
export const WHOLE_BODY = -1;
/** A body can hold hundreds of thousands of bad lines; the answer lists this many at most. */
export const MAX_PROBLEMS = 1000;

/** The format of a Content-Type header, or null (415). */
export function ingestFormatOf(contentType: string | undefined): IngestFormat | null {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/json') return 'json';
  if (mediaType === 'application/x-ndjson') return 'ndjson';
  return null;
}

type Issue = z.ZodError['issues'][number];

function problemsOf(issues: Issue[], index: number, pathOffset: number): IngestProblem[] {
  return issues.map((issue) => {
    const path = issue.path.slice(pathOffset).map(String);
    if (issue.code === 'unrecognized_keys') path.push(issue.keys.join(', '));
    return { index, field: path.join('.') || 'sample', message: issue.message };
  });
}

function timeProblem(ts: number, now: number, index: number): IngestProblem | null {
  if (ts < now - MAX_SAMPLE_AGE_MS) return { index, field: 'ts', message: `is older than ${MAX_SAMPLE_AGE_MS / 86_400_000} days` };
  if (ts > now + MAX_SAMPLE_SKEW_MS) return { index, field: 'ts', message: `is more than ${MAX_SAMPLE_SKEW_MS / 60_000} minutes ahead of the server clock` };
  return null;
}

const invalid = (error: string, problems: IngestProblem[]): ParsedIngest => ({ ok: false, error, problems: problems.slice(0, MAX_PROBLEMS) });
const tooMany = () => invalid(`At most ${MAX_SAMPLES_PER_REQUEST} samples per request`, [
  { index: WHOLE_BODY, field: 'samples', message: `at most ${MAX_SAMPLES_PER_REQUEST} samples per request` },
]);
const someInvalid = (problems: IngestProblem[]) =>
  invalid(`${new Set(problems.map((p) => p.index)).size} sample(s) are invalid; nothing was stored`, problems);

const agentNameOk = (agent: unknown): agent is string => typeof agent === 'string' && agentNameSchema.safeParse(agent).success;

/** A JSON body whose every sample passes the fast check, its samples tagged with the agent; else null (zod decides). */
function plainBody(body: unknown): { samples: IngestSample[] } | null {
  if (typeof body !== 'object' || body === null || Object.keys(body).length !== 2) return null;
  const { agent, samples } = body as { agent?: unknown; samples?: unknown };
  if (!agentNameOk(agent) || !Array.isArray(samples) || samples.length === 0 || !samples.every((s) => isPlainValidSample(s))) return null;
  for (const s of samples) (s as IngestSample).agent = agent; // objects fresh from JSON.parse: ours to tag
  return { samples: samples as IngestSample[] };
}

function parseJson(text: string, now: number): ParsedIngest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return invalid('The body is not valid JSON', [{ index: WHOLE_BODY, field: 'body', message: 'is not valid JSON' }]);
  }
  // Checked first so a huge array is refused without validating each element.
  const samples = (body as { samples?: unknown } | null)?.samples;
  if (Array.isArray(samples) && samples.length > MAX_SAMPLES_PER_REQUEST) return tooMany();
  const fast = plainBody(body);
  if (fast) {
    const late = fast.samples.flatMap((s, i) => timeProblem(s.ts, now, i) ?? []);
    return late.length ? someInvalid(late) : { ok: true, samples: fast.samples };
  }
  const parsed = ingestBodySchema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) =>
      issue.path[0] === 'samples' && typeof issue.path[1] === 'number'
        ? problemsOf([issue], issue.path[1], 2)
        : problemsOf([issue], WHOLE_BODY, 0).map((p) => ({ ...p, field: p.field === 'sample' ? 'body' : p.field })));
    return someInvalid(problems);
  }
  const problems = parsed.data.samples.flatMap((s, i) => timeProblem(s.ts, now, i) ?? []);
  if (problems.length) return someInvalid(problems);
  return { ok: true, samples: parsed.data.samples.map((s) => ({ ...s, agent: parsed.data.agent })) };
}

function parseNdjson(text: string, now: number): ParsedIngest {
  const lines = text.split('\n');
  if (lines.filter((l) => l.trim()).length > MAX_SAMPLES_PER_REQUEST) return tooMany();
  const samples: IngestSample[] = [];
  const problems: IngestProblem[] = [];
  lines.forEach((line, index) => {
    if (!line.trim() || problems.length >= MAX_PROBLEMS) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push({ index, field: 'line', message: 'is not valid JSON' });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ index, field: 'line', message: 'must be a JSON object {agent, ts, ...}' });
      return;
    }
    if (isPlainValidSample(value, 'agent') && agentNameOk((value as { agent?: unknown }).agent)) {
      const sample = value as IngestSample;
      const late = timeProblem(sample.ts, now, index);
      if (late) problems.push(late);
      else samples.push(sample);
      return;
    }
    const { agent, ...rest } = value as Record<string, unknown>;
    const head = ingestLineSchema.safeParse({ agent });
    const sample = metricSampleSchema.safeParse(rest);
    if (!head.success) problems.push(...problemsOf(head.error.issues, index, 0));
    if (!sample.success) problems.push(...problemsOf(sample.error.issues, index, 0));
    if (!head.success || !sample.success) return;
    const late = timeProblem(sample.data.ts, now, index);
    if (late) problems.push(late);
    else samples.push({ ...sample.data, agent: head.data.agent });
  });
  if (problems.length) return someInvalid(problems);
  if (!samples.length) return invalid('The body holds no samples', [{ index: WHOLE_BODY, field: 'samples', message: 'needs at least one sample' }]);
  return { ok: true, samples };
}

export const parseIngestBody = (format: IngestFormat, text: string, now: number): ParsedIngest =>
  format === 'json' ? parseJson(text, now) : parseNdjson(text, now);
