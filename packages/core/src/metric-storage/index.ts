// Upkeep of stored agent metrics: daily partitions of raw samples, rollups, retention.
export * from './partitions.ts';
export * from './rollups.ts';
export * from './retention.ts';
export * from './metric-samples.ts';
