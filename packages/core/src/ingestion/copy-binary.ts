// Rows of metric_samples in COPY's binary format (PostgreSQL docs, "COPY … Binary Format"): no
// number → text → number round trip on either side, which is most of what a text COPY costs.
import { METRIC_FIELDS, type MetricSample } from '@tandem/schema';
import { METRIC_SAMPLE_FIELD_TYPES, type MetricSampleFieldType } from '../metric-storage/metric-samples.ts';

export interface SampleGroup {
  workspaceId: string;
  samples: (MetricSample & { agent: string })[];
}
/** The id of an agent named in a group (all registered before the write). */
export type AgentIdOf = (workspaceId: string, name: string) => string;

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** timestamptz is microseconds since 2000-01-01 00:00:00 UTC. */
const POSTGRES_EPOCH_MS = 946_684_800_000;
/** jsonb's binary form: a version byte, then the JSON text. */
const JSONB_VERSION = 1;

/** How a column of each type is sent: its width and whether it is an integer or a float. */
const ENCODINGS: Record<MetricSampleFieldType, { width: 4 | 8; int: boolean }> = {
  float8: { width: 8, int: false }, float4: { width: 4, int: false }, int4: { width: 4, int: true },
};
const FIELDS = METRIC_FIELDS.map((f) => ({ name: f, ...ENCODINGS[METRIC_SAMPLE_FIELD_TYPES[f]] }));
/** workspace_id, agent_id, ts, the metric fields, labels. */
const COLUMN_COUNT = 3 + FIELDS.length + 1;
const FIXED_ROW_BYTES = 2 + (4 + 16) * 2 + (4 + 8);

/**
 * The COPY data for the groups' samples, columns in METRIC_SAMPLE_COLUMNS order. Layout:
 * signature, flags, extension length; per row a field count, then per field its byte length (-1
 * for NULL) and its value in network byte order; a -1 field count ends the data.
 */
export function encodeSamplesBinary(groups: SampleGroup[], agentIdOf: AgentIdOf): Buffer {
  const uuids = new Map<string, Buffer>();
  const uuid = (id: string) => {
    let b = uuids.get(id);
    if (!b) uuids.set(id, (b = Buffer.from(id.replace(/-/g, ''), 'hex')));
    return b;
  };
  // First pass: sizes (labels are the only variable part).
  let size = SIGNATURE.length + 8 + 2;
  const labels: (Buffer | null)[] = [];
  for (const g of groups) {
    for (const s of g.samples) {
      size += FIXED_ROW_BYTES;
      for (const f of FIELDS) size += 4 + (s[f.name] === undefined ? 0 : f.width);
      const json = s.labels ? Buffer.from(JSON.stringify(s.labels)) : null;
      labels.push(json);
      size += json ? 4 + 1 + json.length : 4;
    }
  }
  const out = Buffer.allocUnsafe(size);
  let at = SIGNATURE.copy(out, 0);
  at = out.writeInt32BE(0, at); // flags
  at = out.writeInt32BE(0, at); // header extension length
  let row = 0;
  for (const g of groups) {
    const workspace = uuid(g.workspaceId);
    for (const s of g.samples) {
      at = out.writeInt16BE(COLUMN_COUNT, at);
      at = out.writeInt32BE(16, at);
      at += workspace.copy(out, at);
      at = out.writeInt32BE(16, at);
      at += uuid(agentIdOf(g.workspaceId, s.agent)).copy(out, at);
      // Microseconds stay below 2^53 for centuries: two 32-bit halves, no BigInt.
      const micros = (s.ts - POSTGRES_EPOCH_MS) * 1000;
      at = out.writeInt32BE(8, at);
      at = out.writeUInt32BE(Math.floor(micros / 2 ** 32), at);
      at = out.writeUInt32BE(micros % 2 ** 32, at);
      for (const f of FIELDS) {
        const v = s[f.name];
        if (v === undefined) {
          at = out.writeInt32BE(-1, at);
          continue;
        }
        at = out.writeInt32BE(f.width, at);
        at = f.int ? out.writeInt32BE(v, at) : f.width === 8 ? out.writeDoubleBE(v, at) : out.writeFloatBE(v, at);
      }
      const json = labels[row++];
      if (!json) at = out.writeInt32BE(-1, at);
      else {
        at = out.writeInt32BE(1 + json.length, at);
        at = out.writeUInt8(JSONB_VERSION, at);
        at += json.copy(out, at);
      }
    }
  }
  out.writeInt16BE(-1, at);
  return out;
}
