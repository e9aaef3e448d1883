// What one server process needs to ingest samples: the key cache and the coalescing writer.
import type { Runtime } from '../runtime.ts';
import { IngestKeyCache } from './ingest-keys.ts';
import { SampleWriter } from './sample-writer.ts';

export interface Ingestion {
  keys: IngestKeyCache;
  writer: SampleWriter;
}

export function createIngestion(rt: Pick<Runtime, 'orm' | 'bus' | 'log' | 'config'>): Ingestion {
  return {
    keys: new IngestKeyCache({ em: rt.orm.em, bus: rt.bus, log: rt.log }),
    writer: new SampleWriter({ orm: rt.orm, bus: rt.bus, log: rt.log }, {
      maxQueuedRows: rt.config.INGEST_MAX_QUEUED_ROWS,
      // Real PostgreSQL takes COPY; embedded PGlite's socket server does not speak it.
      copy: rt.config.DATABASE_URL !== undefined,
    }),
  };
}
