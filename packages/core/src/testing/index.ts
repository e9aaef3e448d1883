export * from './modes.ts';
export * from './metrics-fixtures.ts';
