export * from './modes.ts';
export * from './metrics-fixtures.ts';
export * from './export-files.ts';
