// Ingestion of agent samples: ingest keys, the name → id registry, and the coalescing write path.
export * from './ingest-keys.ts';
export * from './agent-registry.ts';
export * from './sample-writer.ts';
export * from './sample-insert.ts';
export { encodeSamplesBinary } from './copy-binary.ts';
export * from './raw-connection.ts';
export * from './ingestion.ts';
export * from './ingest-rates.ts';
