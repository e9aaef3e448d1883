// Reading agent metrics: which bucket and table answer a query, the query itself, cost reports.
export * from './query-plan.ts';
export * from './query.ts';
export * from './costs.ts';
