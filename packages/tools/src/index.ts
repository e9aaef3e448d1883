// The assistant's tools: definitions, registry, demo data set and the offline (no-LLM) planner.
export * from './result.ts';
export * from './define-tool.ts';
export * from './date-range.ts';
export * from './get-sales-by-month.ts';
export * from './get-inventory-status.ts';
export * from './get-product-analytics.ts';
export * from './list-agents.ts';
export * from './query-agent-metrics.ts';
export * from './task-tools.ts';
export * from './task-requests.ts';
export * from './registry.ts';
export * from './demo-data.ts';
export * from './format.ts';
export * from './offline-planner.ts';
export * from './follow-ups.ts';
