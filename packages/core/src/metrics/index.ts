// Agent metrics: ingest keys, sample writes, storage maintenance.
export * from './ingest-keys.ts';
export * from './agents-registry.ts';
export * from './sample-writer.ts';
export * from './sample-insert.ts';
export { encodeSamplesBinary } from './copy-binary.ts';
export * from './raw-connection.ts';
export * from './ingestion.ts';
export * from './partitions.ts';
export * from './rollups.ts';
export * from './retention.ts';
export * from './agents.ts';
export * from './agent-status.ts';
export * from './step.ts';
export * from './query.ts';
export * from './costs.ts';
export * from './dashboard-prefs.ts';
