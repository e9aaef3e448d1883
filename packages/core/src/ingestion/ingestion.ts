// What one server process needs to ingest samples: the key cache, the rate limits, the coalescing
// writer and the alert evaluation its commits feed.
import type { Runtime } from '../runtime.ts';
import { IngestKeyCache } from './ingest-keys.ts';
import { SampleWriter } from './sample-writer.ts';
import { IngestRates, ingestLimiterStore } from './ingest-rates.ts';
import { AlertsOnArrival } from '../alerts/on-arrival.ts';

export interface Ingestion {
  keys: IngestKeyCache;
  /** Samples per second per key and per workspace, shared by every server. */
  rates: IngestRates;
  writer: SampleWriter;
  /** Alert rules evaluated as this server commits samples (alerts/on-arrival.ts; closed by the HTTP server). */
  alerts: AlertsOnArrival;
}

export function createIngestion(rt: Pick<Runtime, 'orm' | 'bus' | 'log' | 'config' | 'redis' | 'queues'>): Ingestion {
  const alerts = new AlertsOnArrival({ orm: rt.orm, bus: rt.bus, queues: rt.queues, log: rt.log });
  return {
    alerts,
    keys: new IngestKeyCache({ em: rt.orm.em, bus: rt.bus, log: rt.log }),
    rates: new IngestRates(ingestLimiterStore(rt), {
      keySamplesPerSecond: rt.config.INGEST_KEY_SAMPLES_PER_SECOND,
      workspaceSamplesPerSecond: rt.config.INGEST_WORKSPACE_SAMPLES_PER_SECOND,
    }),
    writer: new SampleWriter({ orm: rt.orm, bus: rt.bus, log: rt.log, onCommitted: (ws, points) => alerts.samplesCommitted(ws, points) }, {
      maxQueuedRows: rt.config.INGEST_MAX_QUEUED_ROWS,
      maxAgentsPerWorkspace: rt.config.WORKSPACE_MAX_AGENTS,
      // Real PostgreSQL takes COPY; embedded PGlite's socket server does not speak it.
      copy: rt.config.DATABASE_URL !== undefined,
    }),
  };
}
