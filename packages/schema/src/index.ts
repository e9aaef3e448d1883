export * from './config.ts';
export * from './auth.ts';
export * from './jobs.ts';
