// @tandem/collector: agent-side SDK that records metric samples and ships them to Tandem in
// batches. No runtime dependencies; Node 20+ and browsers (global fetch).
export { createCollector, CollectorError } from './collector.ts';
export type { Collector, CollectorErrorKind, CollectorOptions, CollectorStats, SampleInput } from './collector.ts';
