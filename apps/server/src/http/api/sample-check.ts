// A fast, conservative check of the common sample: it accepts only what metricSampleSchema accepts,
// and anything else (ISO times, odd labels, errors) goes to zod, which decides and explains.
import { METRIC_FIELDS, metricSampleSchema } from '@tandem/schema';

interface Bounds {
  min: number;
  max: number;
  int: boolean;
}

/** Each metric's numeric bounds, read from the schema itself. */
const BOUNDS: Record<string, Bounds> = Object.fromEntries(METRIC_FIELDS.map((f) => {
  const n = metricSampleSchema.shape[f].unwrap();
  return [f, { min: n.minValue ?? -Infinity, max: n.maxValue ?? Infinity, int: n.isInt }];
}));

// Mirrors sampleLabelsSchema: at most 16 names of 1-64 characters [\w.:-], string values of at most
// 200. Only values the schema keeps as they are pass here: printable ASCII without spaces at either
// end (the schema trims and NFC-normalises, and refuses control characters); others go to zod.
const LABEL_NAME = /^[\w.:-]{1,64}$/;
const PLAIN_LABEL_VALUE = /^(?:[\x21-\x7e](?:[\x20-\x7e]{0,198}[\x21-\x7e])?)?$/;
const MAX_LABELS = 16;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function labelsAreTidy(labels: unknown): boolean {
  if (!isRecord(labels)) return false;
  let n = 0;
  for (const name in labels) {
    const value = labels[name];
    if (++n > MAX_LABELS || name === '__proto__' || !LABEL_NAME.test(name) || typeof value !== 'string' || !PLAIN_LABEL_VALUE.test(value)) return false;
  }
  return true;
}

/**
 * True only for a sample metricSampleSchema accepts unchanged (so the object can be stored as
 * it is). `extraKey` is a key to skip (NDJSON lines carry `agent` beside the sample).
 * Validating 1,000 samples with zod costs more than parsing their JSON, hence this shortcut;
 * ingest-body.test.ts checks the implication "accepted here ⇒ accepted by zod" by property.
 */
export function isPlainValidSample(value: unknown, extraKey?: string): boolean {
  if (!isRecord(value)) return false;
  const ts = value.ts;
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0) return false;
  let metrics = 0;
  for (const key in value) {
    if (key === 'ts' || key === extraKey) continue;
    if (key === 'labels') {
      if (!labelsAreTidy(value.labels)) return false;
      continue;
    }
    const bounds = BOUNDS[key];
    const v = value[key];
    if (!bounds || typeof v !== 'number' || !(v >= bounds.min && v <= bounds.max) || (bounds.int && !Number.isSafeInteger(v))) return false;
    metrics++;
  }
  return metrics > 0;
}
